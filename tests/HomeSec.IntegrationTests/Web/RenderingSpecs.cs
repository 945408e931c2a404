using System.Collections.Immutable;
using HomeSec.Actors.Repository.Sql;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.TestSupport;
using HomeSec.Web.Components.Shared;
using HomeSec.Web.Media;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace HomeSec.IntegrationTests.Web;

/// <summary>What the pages make of hostile stored text, and which files media may send.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RenderingSpecs : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Should_render_a_prompt_injected_vlm_summary_as_text_when_the_review_list_shows_it()
    {
        // Given a clip whose VLM answer carries HTML (a prompt injection through what the camera saw)
        const string hostile = "<img src=x onerror=alert(1)><script>fetch('//evil')</script>";
        var state = ClipState.Empty(ClipId.Parse("front_door-20261201T120000Z")) with
        {
            CameraName = "front_door",
            RecordedAt = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero),
            Analysis = new AnalysisResult(RiskLevel.High, "suspicious_<b>activity</b>", hostile),
            Filter = new FilterResult(["person\"><svg onload=alert(2)>"], 0.9, 10, "yolo"),
            NotifiedBy = ImmutableHashSet.Create("log"),
        };
        var row = new ReviewRow(state, state.RecordedAt!.Value, null, null);

        // When
        var html = await RenderAsync<ClipCard>(new Dictionary<string, object?> { [nameof(ClipCard.Row)] = row, [nameof(ClipCard.ReturnUrl)] = "/" });

        // Then
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("risk-high", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_mask_passwords_in_urls_and_secret_looking_keys_but_keep_environment_variable_names()
    {
        // Given a config a person typed a secret into
        const string yaml = """
            cameras:
              - name: front_door
                source: {type: rtsp, config: {url: "rtsp://admin:SuperSecret1@192.168.1.20:554/stream1"}}
            vlm:
              config: {api_key_env: OPENAI_API_KEY, api_key: sk-live-123456}
            notifiers:
              - backend: mqtt
                config: {host: broker, auth: {username_env: MQTT_USER, password_env: MQTT_PASSWORD}, password: hunter2}
            """;

        // When
        var shown = ConfigRedactor.Redact(yaml);

        // Then
        Assert.DoesNotContain("SuperSecret1", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-live-123456", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", shown, StringComparison.Ordinal);
        Assert.Contains("rtsp://" + ConfigRedactor.Mask + "@192.168.1.20:554/stream1", shown, StringComparison.Ordinal);
        Assert.Contains("OPENAI_API_KEY", shown, StringComparison.Ordinal);
        Assert.Contains("password_env: MQTT_PASSWORD", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_serve_only_plain_media_files_and_never_a_link_out_of_the_folder()
    {
        // Given a real clip, a link to a file outside, a file below a linked folder and a file with another extension
        var clip = _dir.Combine("clip.mp4");
        File.WriteAllBytes(clip, [0, 0, 0, 24]);
        var secret = _dir.Combine("secret.txt");
        File.WriteAllText(secret, "root:x:0:0");
        var link = _dir.Combine("evil.mp4");
        File.CreateSymbolicLink(link, secret);
        Directory.CreateDirectory(_dir.Combine("real"));
        File.WriteAllBytes(_dir.Combine("real", "inside.mp4"), [1]);
        Directory.CreateSymbolicLink(_dir.Combine("linked"), _dir.Combine("real"));

        // When / Then
        Assert.Equal((clip, "video/mp4"), MediaFiles.Servable(clip, MediaFiles.VideoTypes));
        Assert.Null(MediaFiles.Servable(link, MediaFiles.VideoTypes));
        Assert.Null(MediaFiles.Servable(_dir.Combine("linked", "inside.mp4"), MediaFiles.VideoTypes));
        Assert.Null(MediaFiles.Servable(secret, MediaFiles.VideoTypes));
        Assert.Null(MediaFiles.Servable("relative/clip.mp4", MediaFiles.VideoTypes));
        Assert.Null(MediaFiles.Servable(_dir.Combine("missing.mp4"), MediaFiles.VideoTypes));
        Assert.Null(MediaFiles.Servable(clip, MediaFiles.ImageTypes));
    }

    /// <summary>The forms' token, as the server's provider would give one for a request.</summary>
    private sealed class FixedAntiforgery : Microsoft.AspNetCore.Components.Forms.AntiforgeryStateProvider
    {
        public override Microsoft.AspNetCore.Components.Forms.AntiforgeryRequestToken? GetAntiforgeryToken() => new("token", "__RequestVerificationToken");
    }

    private static async Task<string> RenderAsync<TComponent>(Dictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Microsoft.AspNetCore.Components.Forms.AntiforgeryStateProvider, FixedAntiforgery>();
        await using var provider = services.BuildServiceProvider();
        await using var renderer = new HtmlRenderer(provider, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }
}
