using HomeSec.Core.Alerts;
using HomeSec.Core.Results;
using Xunit;

namespace HomeSec.Tests.Alerts;

public sealed class NoAnalysisReasonsSpecs
{
    [Theory]
    [InlineData("TimeoutException", "vlm_timeout: the description service did not answer in time")]
    [InlineData("HttpRequestException", "vlm_unreachable: the description service could not be reached")]
    [InlineData("VlmHttpException", "vlm_failed: the description service answered with an error")]
    [InlineData("VlmReplyException", "vlm_bad_reply: the description service's answer could not be read")]
    [InlineData("InvalidOperationException", "vlm_failed: the description service did not answer")]
    public void Should_give_a_reason_code_and_a_sentence_but_none_of_the_error_text_when_the_vlm_failed(string exceptionType, string expected)
    {
        // Given
        var error = new ErrorInfo("vlm", "openai", exceptionType,
            "VLM server http://10.0.0.5:11434/v1/chat/completions answered 500: {\"error\":\"model llava crashed\"}");

        // When
        var reason = NoAnalysisReasons.ForVlmFailure(error);

        // Then
        Assert.Equal(expected, reason);
    }
}
