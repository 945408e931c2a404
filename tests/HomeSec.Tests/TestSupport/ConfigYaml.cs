namespace HomeSec.Tests.TestSupport;

/// <summary>Small valid configs to start from; a test adds or changes one thing.</summary>
public static class ConfigYaml
{
    public const string Camera = """
        cameras:
          - name: front_door
            source:
              type: local_folder
              config:
                watch_dir: /tmp/homesec-tests/front_door

        """;

    public const string Storage = """
        storage:
          backend: local
          config:
            root: /tmp/homesec-tests/storage

        """;

    /// <summary>The smallest config that loads: one camera and a storage backend.</summary>
    public const string Minimal = Camera + Storage;

    /// <summary>The minimal config with more root sections appended.</summary>
    public static string With(string extra) => Minimal + extra;
}
