namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>What a probe needs of a running daemon: whether it is gone, and what it printed (for a failure's diagnostics).</summary>
public interface IDaemon
{
    string Output { get; }

    bool HasExited { get; }
}
