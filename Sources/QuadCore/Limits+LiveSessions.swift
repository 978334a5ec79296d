/// Bounds on live sessions, beside the rest of `Limits`.
extension Limits {
    /// A session title: a line in a calendar ("CS 101 office hours with Ines").
    public static let liveSessionTitleCharactersMax = 200
    /// The agenda: a few paragraphs of plain text or markdown.
    public static let liveSessionAgendaBytesMax = 4096
    /// Hosts per session: a teaching team, not an audience.
    public static let liveSessionHostsMax = 10
    /// Longest occurrence: a 12-hour hackathon; longer is a mistake in the duration field.
    public static let liveSessionDurationMinutesMax: UInt32 = 12 * 60
    /// URLs (join, host start): Zoom's start URLs carry a long token (about 600 bytes); 2 KiB is ample.
    public static let liveSessionURLBytesMax = 2048
    /// Meeting numbers and passcodes: Zoom's are 9-11 digits and 10 characters, Webex's similar.
    public static let liveSessionFieldBytesMax = 64
    /// Occurrences of a series: two years of daily sessions. Bounds every expansion of a series.
    public static let liveSessionOccurrencesMax: UInt16 = 730
    /// Largest INTERVAL: every 52 weeks; anything sparser is not a series.
    public static let liveSessionIntervalMax: UInt16 = 52
    /// Cancelled occurrences remembered per series (EXDATEs): one per occurrence at worst is too
    /// many rows in a feed; a term's worth of cancellations is plenty.
    public static let liveSessionCancellationsMax = 100
    /// Sessions per workspace: a year of courses' worth; bounds the list and the feeds.
    public static let liveSessionsPerWorkspaceMax = 500
    /// The join window, in minutes before the start (a per-workspace setting): default and maximum.
    public static let liveSessionJoinWindowMinutesDefault: UInt16 = 15
    public static let liveSessionJoinWindowMinutesMax: UInt16 = 240
    /// Sealed provider credentials: an OAuth client ID and secret, or a token, plus base URLs.
    public static let sealedCredentialsBytesMax = 4096
}
