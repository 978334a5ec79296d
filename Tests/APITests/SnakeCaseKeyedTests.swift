@testable import API
@testable import Community
import Foundation
import QuadCore
import Testing

@Suite struct SnakeCaseKeyedTests {
    static let message = Message(
        channelID: ChannelID(rawValue: "ch-1")!, sequence: ChannelSequence(rawValue: 7), authorID: UserID(rawValue: "ann")!,
        authorName: "Ann", text: "hello", createdAt: 1, editedAt: 2, deleted: true, deletedBy: UserID(rawValue: "moe")!,
        threadRoot: ChannelSequence(rawValue: 3), replyCount: 4, lastReplyAt: 5,
        reactions: [Reaction(emoji: "thumbsup", users: [UserID(rawValue: "bob")!])], pinned: true,
        clientMessageID: "c-1", mentions: [UserID(rawValue: "cy")!])

    /// Proves every `SnakeCaseKeyed` response encodes byte for byte as the converting encoder
    /// encodes it, with every optional field present and absent.
    @Test func encodesExactlyAsTheConvertingEncoder() throws {
        var bare = Self.message
        bare.editedAt = nil
        bare.deletedBy = nil
        bare.threadRoot = nil
        bare.lastReplyAt = nil
        bare.clientMessageID = nil
        let values: [any SnakeCaseKeyed] = [
            MessagesResponse(messages: [Self.message, bare], nextCursor: "9"), MessagesResponse(messages: [], nextCursor: nil),
            MessageResponse(message: Self.message, duplicate: true), MessageResponse(message: bare, duplicate: nil),
            ThreadResponse(root: Self.message, replies: [bare], nextCursor: "4"),
        ]
        for value in values {
            let fast = try QuadJSON.encode(value)
            let converted = try QuadJSON.encoder.encode(value)
            #expect(fast == converted, "\(String(decoding: fast, as: UTF8.self))")
        }
        #expect(String(decoding: try QuadJSON.encode(values[0]), as: UTF8.self).contains("\"client_msg_id\":\"c-1\""))
    }
}
