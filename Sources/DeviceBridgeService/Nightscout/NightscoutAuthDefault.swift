/// What a Nightscout client may do without the secret: Nightscout's `AUTH_DEFAULT_ROLES`, set by
/// `nightscout: {auth_default: …}` in the service configuration or `--nightscout-auth-default`.
public enum NightscoutAuthDefault: String, Sendable, Equatable, CaseIterable {
    /// Anyone may read (Nightscout's own default, which follower apps and watch faces expect);
    /// writes need the secret.
    case readable
    /// Reads need the secret too.
    case denied
}
