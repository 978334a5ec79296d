import Foundation
import Hummingbird

/// A launch is a browser's form post: a browser (it accepts HTML) is sent on to the web client
/// with the session in the URL fragment (`/#token=...&workspace=...&channel=...`), which never
/// reaches a server and which the client removes from the address bar at once. Other callers
/// get the JSON answer.
extension LTIRoutes {
    static func answer(_ launch: LTILaunchResponse, to request: Request, context: QuadRequestContext) throws
        -> Response {
        guard request.headers[.accept]?.contains("text/html") == true else {
            return try launch.ok.response(from: request, context: context)
        }
        var fragment = URLComponents()
        var items = [URLQueryItem(name: "token", value: launch.token),
                     URLQueryItem(name: "workspace", value: launch.workspaceId.rawValue)]
        if let channel = launch.channelId { items.append(URLQueryItem(name: "channel", value: channel.rawValue)) }
        fragment.queryItems = items
        return Response(status: .seeOther, headers: [.location: "/#" + (fragment.percentEncodedQuery ?? "")])
    }
}
