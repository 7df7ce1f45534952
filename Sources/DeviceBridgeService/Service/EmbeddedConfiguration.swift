/// The configuration `devbridge serve` runs when given no `--config` (what `make run` starts).
public enum EmbeddedConfiguration {
    /// The name used for it in messages and errors.
    public static let source = "<embedded default>"

    /// A virtual smoker (smart-smoker on a PTY, exported over RFC 2217 on 127.0.0.1:7001 and
    /// raw TCP on 127.0.0.1:7002) and a virtual CGM (cgm-jsonl on a PTY plus the
    /// Nightscout-compatible API), with the dashboard and API on 127.0.0.1:7000.
    public static let yaml = """
        # devbridge serve: the embedded default configuration (see docs/service.md).
        api:
          listen: 127.0.0.1:7000
        devices:
          smoker:
            profile: smoker-brisket
            protocol: smart-smoker
            speed: 1
            exports:
              - {mode: rfc2217, listen: 127.0.0.1:7001}
              - {mode: raw, listen: 127.0.0.1:7002}
          cgm:
            profile: cgm-t1d-day
            protocol: cgm-jsonl
            speed: 1
            nightscout: true

        """
}
