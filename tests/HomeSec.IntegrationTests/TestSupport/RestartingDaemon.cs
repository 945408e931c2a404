namespace HomeSec.IntegrationTests.TestSupport;

/// <summary>
/// A daemon under the restart policy the README's compose and systemd files give it: when it exits with code 75 (it
/// asks to be started afresh: removed from the cluster, or not joined within <c>cluster.join_timeout_s</c>) it is started
/// again; any other exit (a SIGKILL from the spec, a crash) ends it.
/// </summary>
public sealed class RestartingDaemon : IDaemon, IAsyncDisposable
{
    private const int StartAfreshExitCode = 75;
    private readonly Func<DaemonProcess> _start;
    private readonly Lock _gate = new();
    private readonly Task _supervision;
    private string _earlierOutput = "";
    private DaemonProcess _current;
    private bool _stopped;

    public RestartingDaemon(Func<DaemonProcess> start)
    {
        _start = start;
        _current = start();
        _supervision = Task.Run(SuperviseAsync);
    }

    /// <summary>How many times it exited with code 75 and was started again.</summary>
    public int Restarts { get; private set; }

    /// <summary>What every incarnation printed, oldest first.</summary>
    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _earlierOutput + _current.Output;
            }
        }
    }

    /// <summary>Gone for good: the current incarnation exited with a code the policy does not restart.</summary>
    public bool HasExited
    {
        get
        {
            lock (_gate)
            {
                return _current.HasExited && _current.ExitCode != StartAfreshExitCode;
            }
        }
    }

    /// <summary>SIGKILL to the current incarnation; the policy does not start it again (the spec does, when it wants).</summary>
    public Task KillAsync() => StopAsync(current => current.KillAsync());

    public async ValueTask DisposeAsync() => await StopAsync(current => current.DisposeAsync().AsTask());

    /// <summary>Ends the policy first (no restart follows), then the current incarnation, then waits for the supervision to see it.</summary>
    private async Task StopAsync(Func<DaemonProcess, Task> stop)
    {
        DaemonProcess current;
        lock (_gate)
        {
            _stopped = true;
            current = _current;
        }

        await stop(current);
        await _supervision;
    }

    private async Task SuperviseAsync()
    {
        while (true)
        {
            DaemonProcess current;
            lock (_gate)
            {
                current = _current;
            }

            await current.WaitForExitAsync();
            lock (_gate)
            {
                if (_stopped || current.ExitCode != StartAfreshExitCode)
                {
                    return;
                }

                _earlierOutput += current.Output + $"{Environment.NewLine}--- exited with {StartAfreshExitCode}; started again ---{Environment.NewLine}";
                _current = _start();
                Restarts++;
            }

            await current.DisposeAsync();
        }
    }
}
