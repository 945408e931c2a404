using HomeSec.Core.Plugins.Sources.Rtsp;
using Xunit;

namespace HomeSec.Tests.Plugins.Sources.Rtsp;

public sealed class UrlRedactorSpecs
{
    [Theory]
    [InlineData("rtsp://admin:s3cr%40t@cam.local:554/stream1", "rtsp://***@cam.local:554/stream1")]
    [InlineData("Input #0, rtsp, from 'rtsp://admin:s3cr%40t@cam.local/x':", "Input #0, rtsp, from 'rtsp://***@cam.local/x':")]
    [InlineData("rtsp://cam.local/no-credentials", "rtsp://cam.local/no-credentials")]
    [InlineData("auth failed for user admin with password s3cr@t", "auth failed for user *** with password ***")]
    public void Should_remove_credentials_when_text_carries_a_known_url_or_its_secrets(string text, string expected)
    {
        // Given
        var redactor = new UrlRedactor(["rtsp://admin:s3cr%40t@cam.local:554/stream1", null]);

        // When
        var redacted = redactor.Redact(text);

        // Then
        Assert.Equal(expected, redacted);
        Assert.DoesNotContain("s3cr", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_remove_the_user_info_of_any_url_when_the_url_is_unknown()
    {
        // Given
        const string text = "ffmpeg -i rtsp://other:hunter2@10.0.0.5/live and http://u:p@h/";

        // When
        var redacted = UrlRedactor.RedactUrls(text);

        // Then
        Assert.Equal("ffmpeg -i rtsp://***@10.0.0.5/live and http://***@h/", redacted);
    }
}
