@testable import API
import Foundation
import QuadCore
import Testing

/// openapi.yaml is served as is and describes exactly the routes the application registers.
@Suite struct OpenAPIDocumentTests {
    /// `METHOD /path` of every operation under `paths:`, read line by line (two-space YAML indents).
    static func documentedOperations(_ yaml: String) -> Set<String> {
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        var operations = Set<String>()
        var inPaths = false
        var path: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" "), !line.isEmpty {
                inPaths = line == "paths:"
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path {
                let method = String(line.dropFirst(4).dropLast())
                if methods.contains(method) { operations.insert("\(method.uppercased()) \(path)") }
            }
        }
        return operations
    }

    @Test func everyRegisteredRouteIsDocumentedAndNothingElse() async throws {
        // Proves the set of routes in the HTTP and WebSocket routers equals the set of operations in openapi.yaml's paths.
        try await TestServer.run { server in
            let document = try OpenAPIDocument.text()
            let documented = Self.documentedOperations(document)
            let routers = [QuadAPI.makeRouter(node: server.node, verifier: nil),
                           QuadAPI.makeWebSocketRouter(node: server.node, verifier: nil)]
            let registered = Set(routers.flatMap { $0.routes.map { "\($0.method.rawValue) \($0.path)" } })
            #expect(registered.count >= 30)
            #expect(registered.subtracting(documented).isEmpty, "undocumented: \(registered.subtracting(documented))")
            #expect(documented.subtracting(registered).isEmpty, "not served: \(documented.subtracting(registered))")
        }
    }

    @Test func theServedDocumentIsTheBundledFileWithTheCodesLimits() async throws {
        // Proves GET /v1/openapi.yaml returns the bundled document and that it states the limits of Limits.swift.
        try await TestServer.run { server in
            let served = try await server.get("/v1/openapi.yaml", as: nil)
            let document = try OpenAPIDocument.text()
            #expect(served.text == document)
            #expect(document.hasPrefix("openapi: 3.1.0\n"))
            for bound in ["maxLength: \(Limits.messageTextBytesMax)", "maxLength: \(Limits.nameCharactersMax)",
                          "maxLength: \(Limits.purposeCharactersMax)", "maxLength: \(Limits.headerCharactersMax)",
                          "maxLength: \(Limits.externalIDBytesMax)", "maxLength: \(Limits.clientMessageIDBytesMax)",
                          "maxLength: \(Limits.emojiNameBytesMax)", "maxLength: \(IdentifierRules.lengthMax)",
                          "minLength: \(Limits.slugCharactersMin)", "maximum: \(Limits.pageSizeMax)",
                          "default: \(Limits.pageSizeDefault)", "maxItems: \(Limits.batchMembersMax)",
                          "maxItems: \(Limits.groupDirectMessageMembersMax)",
                          "maxItems: \(Limits.reactionsPerMessageMax)", "maximum: \(Limits.pinsPerChannelMax)"] {
                #expect(document.contains(bound), "\(bound)")
            }
        }
    }
}
