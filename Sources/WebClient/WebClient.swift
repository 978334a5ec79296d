import Crypto
import Foundation
public import Hummingbird
public import Logging

/// The browser client (docs/web-client.md): plain HTML, CSS and JavaScript modules, bundled as
/// resources and served by every node. `GET /` is the page, revalidated on every load; the
/// assets live under `/app/{version}/{file}`, where the version is a digest of every asset, so
/// browsers keep them for a year and a changed client is a new URL.
public struct WebClient: Sendable {
    /// The first hex digits of the SHA-256 over every asset's name and bytes.
    public let version: String
    /// `index.html` with its `{{version}}` placeholders filled in.
    let indexPage: String
    /// The folder the bundled assets were copied to.
    let assetsFolder: String

    /// Hex digits of the digest kept in asset URLs: 48 bits tell builds apart, URLs stay short.
    static let versionHexDigits = 12
    /// A year: the longest `max-age` caches honour; versioned assets never change.
    static let assetMaxAgeSeconds = 31_536_000
    /// The placeholder `index.html` spells where an asset URL names the version.
    static let versionPlaceholder = "{{version}}"
    /// Scripts, styles and connections from this node only (the API, its WebSocket, the
    /// assets): an injected script could read the session token, so none may run. Any page may
    /// frame the client (an LMS after an LTI launch).
    static let contentSecurityPolicy = "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors *"

    /// The client bundled with this build, read once: the bundle never changes while a node runs.
    public static let bundled: Result<WebClient, WebClientError> = Result { () throws(WebClientError) in
        guard let url = Bundle.module.resourceURL?.appendingPathComponent("Assets") else {
            throw WebClientError(message: "the web client's assets are not bundled")
        }
        return try WebClient(assetsFolder: url.path)
    }

    /// Reads the assets in `assetsFolder` (flat: no subfolders) and fills in `index.html`.
    public init(assetsFolder: String) throws(WebClientError) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: assetsFolder).sorted() else {
            throw WebClientError(message: "cannot list \(assetsFolder)")
        }
        var hasher = SHA256()
        var index: String?
        for name in names {
            guard let bytes = manager.contents(atPath: assetsFolder + "/" + name) else {
                throw WebClientError(message: "cannot read \(name) in \(assetsFolder)")
            }
            hasher.update(data: Data(name.utf8 + [0]))
            hasher.update(data: bytes)
            if name == "index.html" { index = String(decoding: bytes, as: UTF8.self) }
        }
        guard let index else { throw WebClientError(message: "no index.html in \(assetsFolder)") }
        version = String(hasher.finalize().map { String(format: "%02x", $0) }.joined().prefix(Self.versionHexDigits))
        indexPage = index.replacingOccurrences(of: Self.versionPlaceholder, with: version)
        self.assetsFolder = assetsFolder
    }

    /// `GET /` (the page) and `GET /app/{version}/{file}` (the assets, through Hummingbird's
    /// `FileMiddleware`: content types, ETags, ranges and cache headers). An asset of another
    /// version answers 404: a versioned URL never serves different bytes.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>, logger: Logger) {
        let page = indexPage
        router.get("/") { _, _ in
            Response(status: .ok,
                     headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache",
                               .contentSecurityPolicy: Self.contentSecurityPolicy],
                     body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        let forever = CacheControl([(MediaType(type: .any),
                                     [.public, .maxAge(Self.assetMaxAgeSeconds), .immutable])])
        router.group("app/:version")
            .add(middleware: FileMiddleware(assetsFolder, urlBasePath: "/app/\(version)", cacheControl: forever,
                                            logger: logger))
            .get(":file") { _, _ -> Response in throw HTTPError(.notFound) }
    }
}

/// Why the bundled client could not be read (a packaging fault, reported at start-up).
public struct WebClientError: Error, CustomStringConvertible, Sendable {
    /// What is missing or unreadable, with its path.
    public let message: String
    /// The message, for logs and start-up errors.
    public var description: String { message }
}
