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

        await using var daemon = DaemonHost.Build(config, registries);
        var lifetime = daemon.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>();
        try
        {
            await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(daemon, cancellationToken);
        }
        catch (IOException ex) when (IsAddressInUse(ex))
        {
            await Console.Error.WriteLineAsync($"homesec: the address {config.Health.Host}:{config.Health.Port} is already in use (another homesec or program listens there); " +
                $"change health.port (or health.host) in {configFile.Name}, or stop the other program.");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            // SIGTERM / Ctrl-C while starting: a requested stop, not a failure. Stop what did start (the actor
            // system's coordinated shutdown stops the camera sources and their ffmpeg processes).
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await daemon.StopAsync(patience.Token);
        }

        return ExitCodes.Ok;
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
