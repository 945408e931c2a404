using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Sources.Rtsp;
using HomeSec.Tests.TestSupport;
using Xunit;

namespace HomeSec.Tests.Config;

public sealed class RtspConfigSpecs
{
    private const string Url = "rtsp://admin:pa55word@192.168.1.20:554/stream1";

    [Fact]
    public void Should_read_the_rtsp_options_with_the_seed_defaults_when_only_the_url_and_folder_are_given()
    {
        // Given
        var yaml = Camera("""
                    rtsp_url_env: HOMESEC_TEST_RTSP
                    output_dir: /tmp/homesec-tests/recordings
            """);

        // When
        var config = AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Env(("HOMESEC_TEST_RTSP", Url)));

        // Then
        var options = Assert.IsType<RtspSourceOptions>(config.Cameras[0].Source.Options);
        Assert.Equal(Url, options.MainUrl);
        Assert.Null(options.DetectUrl);
        Assert.Equal(new MotionSettings(45, 1.0, 2.0, 5), options.Motion);
        Assert.Equal((320, 180, 5.0), (options.DetectWidth, options.DetectHeight, options.DetectFps));
        Assert.Equal(TimeSpan.FromSeconds(5), options.PreRoll);
        Assert.Equal(0, options.MaxAttempts);
        Assert.DoesNotContain("pa55word", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Should_name_the_variable_but_never_its_value_when_a_url_or_a_mask_is_invalid()
    {
        // Given
        var yaml = Camera("""
                    rtsp_url_env: HOMESEC_TEST_RTSP
                    detect_rtsp_url_env: HOMESEC_TEST_RTSP_SUB
                    output_dir: /tmp/homesec-tests/recordings
                    blur_kernel: 4
                    motion_masks: ["0,0 10,0"]
            """);

        // When
        var failure = Assert.Throws<ConfigException>(() =>
            AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), Env(("HOMESEC_TEST_RTSP", "not a url with pa55word"))));

        // Then
        Assert.Equal(
            ["cameras[0].source.config.blur_kernel", "cameras[0].source.config.detect_rtsp_url_env", "cameras[0].source.config.motion_masks", "cameras[0].source.config.rtsp_url_env"],
            failure.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.Contains(failure.Errors, e => e.Message.Contains("'HOMESEC_TEST_RTSP_SUB' is not set", StringComparison.Ordinal));
        Assert.DoesNotContain("pa55word", string.Join("\n", failure.Errors.Select(e => e.Message)), StringComparison.Ordinal);
    }

    private static string Camera(string config) => $"""
        cameras:
          - name: driveway
            source:
              type: rtsp
              config:
        {config}

        """ + ConfigYaml.Storage;

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
