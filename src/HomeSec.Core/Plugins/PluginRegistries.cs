using HomeSec.Core.Plugins.AlertPolicies.Default;
using HomeSec.Core.Plugins.AlertPolicies.Noop;
using HomeSec.Core.Plugins.Analyzers.OpenAi;
using HomeSec.Core.Plugins.Filters.None;
using HomeSec.Core.Plugins.Filters.Yolo;
using HomeSec.Core.Plugins.Notifiers.Email;
using HomeSec.Core.Plugins.Notifiers.Log;
using HomeSec.Core.Plugins.Notifiers.Mqtt;
using HomeSec.Core.Plugins.Notifiers.Ntfy;
using HomeSec.Core.Plugins.Notifiers.Telegram;
using HomeSec.Core.Plugins.Notifiers.Webhook;
using HomeSec.Core.Plugins.Sources.Ftp;
using HomeSec.Core.Plugins.Sources.LocalFolder;
using HomeSec.Core.Plugins.Sources.Rtsp;
using HomeSec.Core.Plugins.Storage.Dropbox;
using HomeSec.Core.Plugins.Storage.Local;
using Microsoft.Extensions.Logging;

namespace HomeSec.Core.Plugins;

/// <summary>One registry per plugin kind. A new plugin is one class and one line here.</summary>
public sealed class PluginRegistries
{
    public PluginRegistry<IClipSource> Sources { get; } = new(PluginKind.Source);
    public PluginRegistry<IObjectFilter> Filters { get; } = new(PluginKind.Filter);
    public PluginRegistry<IVlmAnalyzer> Analyzers { get; } = new(PluginKind.Analyzer);
    public PluginRegistry<IStorageBackend> Storage { get; } = new(PluginKind.Storage);
    public PluginRegistry<INotifier> Notifiers { get; } = new(PluginKind.Notifier);
    public PluginRegistry<IAlertPolicy> AlertPolicies { get; } = new(PluginKind.AlertPolicy);

    public static PluginRegistries CreateBuiltin()
    {
        var registries = new PluginRegistries();
        registries.Sources.Register("local_folder", LocalFolderOptions.Read,
            (options, context) => new LocalFolderSource(options, context.CameraName ?? throw new InvalidOperationException("a source needs its camera name"),
                context.Clock, context.LoggerFactory.CreateLogger<LocalFolderSource>()))
            .Register("rtsp", RtspSourceOptions.Read,
                (options, context) => new RtspSource(options, context.CameraName ?? throw new InvalidOperationException("a source needs its camera name"),
                    context.Clock, context.LoggerFactory.CreateLogger<RtspSource>(), context.LiveFrames, context.LiveDetector, context.LiveDetectionInterval))
            .Register("ftp", FtpSourceOptions.Read,
                (options, context) => new FtpSource(options, context.CameraName ?? throw new InvalidOperationException("a source needs its camera name"),
                    context.Clock, context.LoggerFactory.CreateLogger<FtpSource>()));
        registries.Filters.Register("none", NoOptions.Read, (_, _) => new NoFilter())
            .Register("yolo", YoloFilterOptions.Read, (options, context) => new YoloFilter(
                options,
                (context.Inference ?? throw new InvalidOperationException("the yolo filter needs the inference pool of its host"))
                    .Detector(options.Model ?? throw new InvalidOperationException("the yolo filter's model could not be read"), options.Inference),
                context.TriggerClasses));
        registries.Analyzers.Register("openai", OpenAiAnalyzerOptions.Read,
            (options, context) => new OpenAiAnalyzer(options, context.LoggerFactory.CreateLogger<OpenAiAnalyzer>(), context.Clock));
        registries.Storage.Register("local", LocalStorageOptions.Read, (options, _) => new LocalStorage(options))
            .Register("dropbox", DropboxStorageOptions.Read,
                (options, context) => new DropboxStorage(options, context.LoggerFactory.CreateLogger<DropboxStorage>(), context.Clock));
        registries.Notifiers.Register("log", LogNotifierOptions.Read,
            (options, context) => new LogNotifier(options, context.LoggerFactory.CreateLogger<LogNotifier>()))
            .Register("mqtt", MqttNotifierOptions.Read,
                (options, context) => new MqttNotifier(options, context.CameraNames, context.LoggerFactory.CreateLogger<MqttNotifier>(), context.Gate))
            .Register("email", EmailNotifierOptions.Read, (options, _) => new EmailNotifier(options))
            .Register("webhook", WebhookNotifierOptions.Read, (options, context) => new WebhookNotifier(options, context.Clock))
            .Register("ntfy", NtfyNotifierOptions.Read, (options, context) => new NtfyNotifier(options, context.Clock))
            .Register("telegram", TelegramNotifierOptions.Read, (options, context) => new TelegramNotifier(options, context.Clock));
        registries.AlertPolicies
            .Register("default", DefaultAlertPolicyOptions.Read, DefaultAlertPolicyOptions.ReadOverrides,
                (options, perCamera, _) => new DefaultAlertPolicy(options, perCamera))
            .Register("noop", NoOptions.Read, (_, _) => new NoopAlertPolicy());
        return registries;
    }
}
