import QuadCore

extension Validation {
    /// The rules for a live session's fields; the API runs them early, the state machine again.
    public static func liveSessionSpec(_ spec: LiveSessionSpec) throws(CommunityError) {
        try liveSessionTitle(spec.title)
        try text(spec.agenda, field: "agenda", maximum: Limits.liveSessionAgendaBytesMax)
        guard !spec.hosts.isEmpty, spec.hosts.count <= Limits.liveSessionHostsMax,
              Set(spec.hosts).count == spec.hosts.count else {
            throw .invalid("invalid_hosts", "A session has 1 to \(Limits.liveSessionHostsMax) distinct hosts.")
        }
        guard spec.durationMinutes >= 1, spec.durationMinutes <= Limits.liveSessionDurationMinutesMax else {
            throw .invalid("invalid_duration",
                           "duration_minutes is 1 to \(Limits.liveSessionDurationMinutesMax).")
        }
        guard spec.startMilliseconds % 60_000 == 0 else {
            throw .invalid("invalid_start", "A session starts on a whole minute.")
        }
        guard let schedule = LiveSessionSchedule(spec: spec) else {
            throw .invalid("invalid_time_zone", "time_zone must be an IANA zone such as Europe/Madrid.")
        }
        if let rule = spec.recurrence { try recurrence(rule, schedule: schedule) }
        for (field, value) in [("join_url", spec.joinURL), ("host_start_url", spec.hostStartURL)] {
            if let value { try url(value, field: field) }
        }
        for (field, value) in [("meeting_number", spec.meetingNumber), ("password", spec.password)] {
            guard let value else { continue }
            guard !value.isEmpty, value.utf8.count <= Limits.liveSessionFieldBytesMax,
                  !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalid("invalid_\(field)", "\(field) is 1 to \(Limits.liveSessionFieldBytesMax) bytes.")
            }
        }
        if spec.provider == .link && spec.joinURL == nil {
            throw .invalid("missing_join_url", "A session of provider 'link' needs a join_url.")
        }
    }

    static func liveSessionTitle(_ value: String) throws(CommunityError) {
        guard !value.trimmingWhitespace.isEmpty,
              !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid("invalid_title", "The title must not be empty or contain control characters.")
        }
        guard value.count <= Limits.liveSessionTitleCharactersMax else {
            throw .init(.limitExceeded, "title_too_long",
                        "The title is longer than \(Limits.liveSessionTitleCharactersMax) characters.")
        }
    }

    static func recurrence(_ rule: RecurrenceRule, schedule: LiveSessionSchedule) throws(CommunityError) {
        guard rule.interval >= 1, rule.interval <= Limits.liveSessionIntervalMax else {
            throw .invalid("invalid_recurrence", "INTERVAL is 1 to \(Limits.liveSessionIntervalMax).")
        }
        if let count = rule.count, count < 1 || count > Limits.liveSessionOccurrencesMax {
            throw .invalid("invalid_recurrence", "COUNT is 1 to \(Limits.liveSessionOccurrencesMax).")
        }
        if let until = rule.untilMilliseconds, until < schedule.spec.startMilliseconds {
            throw .invalid("invalid_recurrence", "UNTIL is before the start.")
        }
        guard rule.count == nil || rule.untilMilliseconds == nil else {
            throw .invalid("invalid_recurrence", "Give COUNT or UNTIL, not both.")
        }
        if rule.frequency == .daily && !rule.byDay.isEmpty {
            throw .invalid("invalid_recurrence", "BYDAY goes with FREQ=WEEKLY only.")
        }
        // RFC 5545 leaves a DTSTART outside its own rule undefined; refuse it rather than guess.
        if !rule.byDay.isEmpty && !rule.byDay.contains(schedule.startWeekday) {
            throw .invalid("invalid_recurrence", "The start must fall on one of the BYDAY days.")
        }
    }

    static func url(_ value: String, field: String) throws(CommunityError) {
        let lower = value.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"),
              value.utf8.count <= Limits.liveSessionURLBytesMax,
              !value.unicodeScalars.contains(where: { $0.properties.isWhitespace
                  || $0.properties.generalCategory == .control }) else {
            throw .invalid("invalid_\(field)",
                           "\(field) is an http(s) URL of at most \(Limits.liveSessionURLBytesMax) bytes.")
        }
    }
}
