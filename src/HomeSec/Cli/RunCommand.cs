using Microsoft.Extensions.DependencyInjection;
using System.CommandLine;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Hosting;

namespace HomeSec.Cli;

/// <summary><c>homesec run --config FILE</c>: runs the daemon until Ctrl-C or SIGTERM.</summary>
public static class RunCommand
{
    public static Command Build()
    {
        var config = HomeSecCli.ConfigOption();
        var command = new Command("run", "Run the HomeSec daemon until Ctrl-C or SIGTERM (clips in flight resume at the next start).") { config };
        command.SetAction((parseResult, cancellationToken) => RunAsync(parseResult.GetValue(config)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo configFile, CancellationToken cancellationToken)
    {
        var registries = PluginRegistries.CreateBuiltin();
        AppConfig config;
        try
        {
            config = AppConfigLoader.LoadFile(configFile.FullName, registries);
        }
        catch (ConfigException ex)
        {
            ValidateCommand.PrintErrors(configFile, ex, Console.Error);
            return ExitCodes.Usage;
        }

        // Checked before anything starts: a daemon that fails to bind half-way through its start logs
        // pages of shutdown noise around the one line that matters.
        if (config.Health.Enabled && IsTaken(config.Health))
        {
            await Console.Error.WriteLineAsync(AddressInUse(config, configFile));
            return ExitCodes.Failure;
        }

        using var daemonLock = DaemonLock.TryAcquire(config.StateStore.LocalStateDir);
        if (daemonLock is null)
        {
            await Console.Error.WriteLineAsync($"homesec: another homesec daemon (or a cleanup) is running with this state_store.local_state_dir " +
                $"(it holds {DaemonLock.PathIn(config.StateStore.LocalStateDir)}); stop it first, or give this one its own local_state_dir.");
            return ExitCodes.Failure;
        }

        await using var daemon = DaemonHost.Build(config, registries, configFile.FullName);
        var lifetime = daemon.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>();
        // Taken now: RunAsync disposes the host's services when it returns.
        var clusterExit = daemon.Services.GetRequiredService<ClusterExit>();
        try
        {
            await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(daemon, cancellationToken);
        }
        catch (IOException ex) when (IsAddressInUse(ex))
        {
            await Console.Error.WriteLineAsync(AddressInUse(config, configFile));
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            // SIGTERM / Ctrl-C while starting: a requested stop, not a failure. Stop what did start (the actor
            // system's coordinated shutdown stops the camera sources and their ffmpeg processes).
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await daemon.StopAsync(patience.Token);
        }

        return clusterExit.StartAfresh ? ClusterExit.ExitCode : ExitCodes.Ok;
    }

    private static string AddressInUse(AppConfig config, FileInfo configFile) =>
        $"homesec: the address {config.Health.Host}:{config.Health.Port} is already in use (another homesec or program listens there); " +
        $"change health.port (or health.host) in {configFile.Name}, or stop the other program.";

    /// <summary>Whether something already listens on health.host:health.port (a host that does not resolve is left to Kestrel to report).</summary>
    private static bool IsTaken(HealthConfig health)
    {
        if (health.Port == 0)
        {
            return false;
        }

        System.Net.IPAddress[] addresses;
        try
        {
            addresses = System.Net.IPAddress.TryParse(health.Host, out var address) ? [address] : System.Net.Dns.GetHostAddresses(health.Host);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }

        foreach (var address in addresses)
        {
            var probe = new System.Net.Sockets.TcpListener(address, health.Port);
            try
            {
                probe.Start();
            }
            catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
            {
                return true;
            }
            catch (System.Net.Sockets.SocketException)
            {
                // e.g. an IPv6 address on a host without IPv6: not ours to judge here.
            }
            finally
            {
                probe.Stop();
            }
        }

        return false;
    }

    private static bool IsAddressInUse(Exception exception)
    {
        for (var e = (Exception?)exception; e is not null; e = e.InnerException)
        {
            if (e is Microsoft.AspNetCore.Connections.AddressInUseException
                || e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }
}
