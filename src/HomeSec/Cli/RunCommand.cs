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
            return 2;
        }

        await using var daemon = DaemonHost.Build(config, registries);
        var lifetime = daemon.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>();
        try
        {
            await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.RunAsync(daemon, cancellationToken);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            // SIGTERM / Ctrl-C while starting: a requested stop, not a failure. Stop what did start (the actor
            // system's coordinated shutdown stops the camera sources and their ffmpeg processes).
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await daemon.StopAsync(patience.Token);
        }

        return 0;
    }
}
