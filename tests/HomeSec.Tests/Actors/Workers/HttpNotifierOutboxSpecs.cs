using Akka.Actor;
using Akka.Event;
using HomeSec.Actors.Hosting;
using HomeSec.Actors.Workers;
using HomeSec.Actors.Workers.Outbox;
using HomeSec.Core.Alerts;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins.Notifiers.Ntfy;
using HomeSec.Core.Plugins.Notifiers.Telegram;
using HomeSec.Tests.Plugins.Notifiers;
using HomeSec.Tests.TestSupport;
using Xunit;
using static HomeSec.Core.Clips.ClipEvents;

namespace HomeSec.Tests.Actors.Workers;

/// <summary>The HTTP notifiers behind the real outbox: what the pipeline records and logs of their failures.</summary>
public sealed class HttpNotifierOutboxSpecs() : Akka.TestKit.Xunit2.TestKit(HomeSecAkkaExtensions.HomeSecConfig()), IDisposable
{
    private const string BotToken = "987654321:AAF-outbox_Secret0815";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"homesec-http-outbox-{Guid.NewGuid():N}");

    private OutboxConfig Settings => new(_dir, 100, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(5));

    [Fact]
    public async Task Should_drop_the_rejected_alert_and_log_no_bot_token_when_telegram_refuses_it_echoing_the_path()
    {
        // Given
        await using var api = new FakeHttpReceiver((request, _) =>
            new ReceiverReply(401, $$"""{"ok":false,"error_code":401,"description":"Unauthorized: {{request.Path}}"}"""));
        using var notifier = new TelegramNotifier(new TelegramNotifierOptions(BotToken, "4711", new Uri(api.BaseUrl)), TimeProvider.System);
        var logs = CreateTestProbe();
        Sys.EventStream.Subscribe(logs.Ref, typeof(LogEvent));
        var repository = CreateTestProbe();
        var outbox = Sys.ActorOf(NotifierOutbox.Props(new NamedNotifier("telegram", notifier, TimeSpan.FromSeconds(5)), Settings, repository.Ref, TimeProvider.System));

        // When
        outbox.Tell(new OutboxProtocol.QueueAlert(HttpNotifierCases.Alert()));

        // Then
        var failed = repository.ExpectMsg<NotificationFailed>(TimeSpan.FromSeconds(10));
        Assert.False(failed.WillRetry);
        Assert.Contains("401", failed.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(BotToken, failed.Error.Message, StringComparison.Ordinal);
        var rejectedLine = logs.FishForMessage<Error>(e => e.Message.ToString()!.Contains("was rejected", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Contains("/bot***/", rejectedLine.ToString(), StringComparison.Ordinal);
        var everyLine = logs.ReceiveWhile(TimeSpan.FromMilliseconds(200), o => (LogEvent)o).Append(rejectedLine);
        Assert.All(everyLine, line => Assert.DoesNotContain(BotToken, $"{line} {line.Cause}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_wait_as_long_as_ntfy_asks_before_the_next_attempt_when_it_answers_429_with_retry_after()
    {
        // Given: the outbox's own backoff is 20 ms; ntfy asks for 1 s
        await using var server = new FakeHttpReceiver((_, index) => index == 0
            ? new ReceiverReply(429, """{"code":42901,"http":429,"error":"limit reached"}""", new Dictionary<string, string> { ["Retry-After"] = "1" })
            : ReceiverReply.Ok());
        var options = new NtfyNotifierOptions(new Uri(server.BaseUrl), "homesec-outbox",
            new Dictionary<RiskLevel, int> { [RiskLevel.Low] = 3, [RiskLevel.Medium] = 4, [RiskLevel.High] = 5, [RiskLevel.Critical] = 5 }, 4, [], null);
        using var notifier = new NtfyNotifier(options, TimeProvider.System);
        var repository = CreateTestProbe();
        var outbox = Sys.ActorOf(NotifierOutbox.Props(new NamedNotifier("ntfy", notifier, TimeSpan.FromSeconds(5)), Settings, repository.Ref, TimeProvider.System));

        // When
        outbox.Tell(new OutboxProtocol.QueueAlert(HttpNotifierCases.Alert()));

        // Then
        repository.ExpectMsg<NotificationSent>(TimeSpan.FromSeconds(10));
        var attempts = server.Requests.ToList();
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts[1].At - attempts[0].At >= TimeSpan.FromMilliseconds(950), $"retried after {(attempts[1].At - attempts[0].At).TotalMilliseconds:0} ms");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
