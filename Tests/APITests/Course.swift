import Hummingbird
import Testing

/// A course built through the API: a platform, a workspace with the `announcements` and
/// `chatter` templates, an instructor, a moderator and two learners (all in `chatter`),
/// a private channel of the instructor and `lea`, and a direct message of `lea` and `leo`.
struct Course: Sendable {
    static let platform = "pl_test"
    static let externalID = "course-v1:Org+CS101+2026"

    let server: TestServer
    let workspace: String
    let announcements: String
    let chatter: String
    let privateChannel: String
    let direct: String

    var base: String { "/v1/workspaces/\(workspace)" }
    func channel(_ id: String) -> String { "\(base)/channels/\(id)" }
    func messages(_ id: String) -> String { "\(base)/channels/\(id)/messages" }

    static func make(on server: TestServer) async throws -> Course {
        try await created(server.post("/v1/platforms", as: Users.admin,
                                      #"{"id":"\#(platform)","name":"Test LMS"}"#))
        let answer = try await created(server.post("/v1/workspaces", as: Users.admin, """
            {"platform_id":"\(platform)","kind":"course","name":"CS101","external_id":"\(externalID)",
             "templates":["announcements","chatter"]}
            """))
        let workspace = try #require(answer["workspace"]["id"].string)
        let channels = answer["channels"].array
        let announcements = try #require(channels.first { $0["slug"] == .string("announcements") }?["id"].string)
        let chatter = try #require(channels.first { $0["slug"] == .string("chatter") }?["id"].string)
        let base = "/v1/workspaces/\(workspace)"
        try await ok(server.post("\(base)/members", as: Users.admin, """
            {"members":[{"user_id":"\(Users.instructor)","role":"instructor","display_name":"Ines"},
                        {"user_id":"\(Users.moderator)","role":"moderator"},
                        {"user_id":"\(Users.learner)","role":"learner","display_name":"Lea"},
                        {"user_id":"\(Users.otherLearner)","role":"learner"}]}
            """))
        for user in [Users.instructor, Users.moderator, Users.learner, Users.otherLearner] {
            try await ok(server.send(.post, "\(base)/channels/\(chatter)/join", as: user))
        }
        let privateChannel = try #require(try await created(server.post(
            "\(base)/channels", as: Users.instructor,
            #"{"name":"Study group","visibility":"private","purpose":"Weekly study"}"#))["channel"]["id"].string)
        try await ok(server.post("\(base)/channels/\(privateChannel)/members", as: Users.instructor,
                                 #"{"user_ids":["\#(Users.learner)"]}"#))
        let direct = try #require(try await ok(server.post(
            "\(base)/direct-channels", as: Users.learner,
            #"{"user_ids":["\#(Users.otherLearner)"]}"#))["channel"]["id"].string)
        return Course(server: server, workspace: workspace, announcements: announcements, chatter: chatter,
                      privateChannel: privateChannel, direct: direct)
    }

    /// Posts `text` as `user` and returns the new message's sequence.
    @discardableResult
    func post(_ text: String, in channel: String, as user: String) async throws -> Int {
        let reply = try await server.post(messages(channel), as: user, #"{"text":\#(quoted(text))}"#)
        return try #require(try created(reply)["message"]["sequence"].int)
    }
}

/// The body of a 200 answer; records an issue naming the answer otherwise.
@discardableResult
func ok(_ reply: Reply, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSON {
    try #require(reply.status == .ok, "\(reply)", sourceLocation: sourceLocation)
    return reply.json
}

/// The body of a 201 answer; records an issue naming the answer otherwise.
@discardableResult
func created(_ reply: Reply, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSON {
    try #require(reply.status == .created, "\(reply)", sourceLocation: sourceLocation)
    return reply.json
}

/// Expects an error answer with `status` and `{"error":{"code":code,...}}`.
func expectError(_ reply: Reply, _ status: HTTPResponse.Status, _ code: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(reply.status == status, "\(reply)", sourceLocation: sourceLocation)
    #expect(reply.errorCode == code, "\(reply)", sourceLocation: sourceLocation)
    #expect(reply.headers[.contentType]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
    #expect(reply.json["error"]["message"].string?.isEmpty == false, sourceLocation: sourceLocation)
}
