import ArgumentParser
import Foundation
import JWTKit
import QuadCore

/// `quadctl`: the operator's command line.
@main
struct Quadctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quadctl",
        abstract: "Operate a Quad node or cluster.",
        subcommands: [Status.self, Partitions.self, Locate.self, Leader.self, NodeCommand.self, DevToken.self])
}

/// `quadctl dev-token`: mints a development sign-in token with the node's dev key.
struct DevToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-token",
        abstract: "Print a development sign-in token (accepted only by a node started with --dev-signin).")

    @Option(name: .customLong("data-dir"), help: "The node's data directory (holds dev-signin.key).")
    var dataDirectory = "./data"

    @Option(help: "User ID to sign in as.")
    var user: String

    @Option(help: "Display name.")
    var name: String?

    @Flag(help: "Sign in as a platform administrator.")
    var admin = false

    @Option(name: .customLong("ttl"), help: "Lifetime in seconds.")
    var lifetimeSeconds = 86_400

    /// Tokens live at most 30 days: development tokens are not for long-lived use.
    static let lifetimeSecondsMax = 30 * 86_400

    func validate() throws {
        guard UserID(rawValue: user) != nil else {
            throw ValidationError("--user must be 1 to 64 of A-Z a-z 0-9 . _ @ : + -")
        }
        if let name, name.isEmpty || name.count > Limits.nameCharactersMax {
            throw ValidationError("--name must be 1 to \(Limits.nameCharactersMax) characters.")
        }
        guard lifetimeSeconds > 0, lifetimeSeconds <= Self.lifetimeSecondsMax else {
            throw ValidationError("--ttl must be 1 to \(Self.lifetimeSecondsMax) seconds.")
        }
    }

    func run() async throws {
        print(try await DevelopmentSignin.token(dataDirectory: dataDirectory, user: user, name: name, admin: admin,
                                                lifetimeSeconds: lifetimeSeconds))
    }
}

/// Development tokens, signed with the key a node keeps in its data directory.
enum DevelopmentSignin {
    static func token(dataDirectory: String, user: String, name: String?, admin: Bool,
                      lifetimeSeconds: Int) async throws -> String {
        let path = (dataDirectory as NSString).appendingPathComponent("dev-signin.key")
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("no dev-signin.key in \(dataDirectory): start the node once with --dev-signin")
        }
        let hex = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard hex.count == 64, let key = Hex.decode(hex) else {
            throw ValidationError("\(path) does not hold 64 hex digits")
        }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: key), digestAlgorithm: .sha256)
        let claims = DevelopmentClaims(
            sub: SubjectClaim(value: user), name: name, admin: admin,
            exp: ExpirationClaim(value: Date().addingTimeInterval(TimeInterval(lifetimeSeconds))),
            iss: IssuerClaim(value: "quad-dev"))
        return try await keys.sign(claims)
    }
}

/// The claims `quad` expects of a development token (API's `QuadClaims`).
struct DevelopmentClaims: JWTPayload {
    var sub: SubjectClaim
    var name: String?
    var admin: Bool
    var exp: ExpirationClaim
    var iss: IssuerClaim

    func verify(using algorithm: some JWTAlgorithm) async throws { try exp.verifyNotExpired() }
}
