namespace HomeSec.TestSupport;

public static class RepoPaths
{
    /// <summary>The repository root: the first folder above the test binaries that holds HomeSec.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string ExampleConfig => Path.Combine(Root, "config", "example.yaml");

    /// <summary>A fixture model of tests/models (built by make_red_patch_detector.py, checked in).</summary>
    public static string Model(string fileName) => Path.Combine(Root, "tests", "models", fileName);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HomeSec.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"HomeSec.sln not found above {AppContext.BaseDirectory}");
    }
}
