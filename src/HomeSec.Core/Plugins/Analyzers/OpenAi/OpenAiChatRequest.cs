using System.Globalization;
using System.Text.Json.Nodes;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;

namespace HomeSec.Core.Plugins.Analyzers.OpenAi;

/// <summary>The body of <c>POST {base_url}/chat/completions</c> for one clip.</summary>
public static class OpenAiChatRequest
{
    public static JsonObject Build(
        OpenAiAnalyzerOptions options, ResponseFormatMode mode, RecordedClip clip, FilterResult filter, IReadOnlyList<ClipFrame> frames)
    {
        var userContent = new JsonArray { TextPart(DescribeClip(clip, filter, frames)) };
        foreach (var frame in frames)
        {
            userContent.Add(new JsonObject
            {
                ["type"] = "image_url",
                ["image_url"] = new JsonObject { ["url"] = "data:image/jpeg;base64," + Convert.ToBase64String(frame.Jpeg) },
            });
        }

        var body = new JsonObject
        {
            ["model"] = options.Model,
            ["messages"] = new JsonArray
            {
                new JsonObject
                {
                    ["role"] = "system",
                    ["content"] = options.Prompt.Trim() + "\n\n" + AnalysisJsonSchema.Instructions(options.ActivityTypes),
                },
                new JsonObject { ["role"] = "user", ["content"] = userContent },
            },
            [options.MaxTokensField] = options.MaxTokens,
        };
        if (options.Temperature is { } temperature)
        {
            body["temperature"] = temperature;
        }

        if (ResponseFormat(mode, options.ActivityTypes) is { } responseFormat)
        {
            body["response_format"] = responseFormat;
        }

        return body;
    }

    private static JsonObject? ResponseFormat(ResponseFormatMode mode, ActivityVocabulary activityTypes) => mode switch
    {
        ResponseFormatMode.Auto or ResponseFormatMode.JsonSchema => new JsonObject
        {
            ["type"] = "json_schema",
            ["json_schema"] = new JsonObject
            {
                ["name"] = AnalysisJsonSchema.Name,
                ["strict"] = true,
                ["schema"] = AnalysisJsonSchema.For(activityTypes),
            },
        },
        ResponseFormatMode.JsonObject => new JsonObject { ["type"] = "json_object" },
        _ => null,
    };

    private static string DescribeClip(RecordedClip clip, FilterResult filter, IReadOnlyList<ClipFrame> frames)
    {
        var detected = filter.MotionOnly || filter.DetectedClasses.Count == 0
            ? "no object detector result"
            : $"the object detector saw: {string.Join(", ", filter.DetectedClasses)}" +
              (filter.ZonesSeen is { Count: > 0 } zones ? $", in the camera's zone(s): {string.Join(", ", zones)}" : "");
        var times = string.Join(", ", frames.Select(f => f.At.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"));
        // A clip whose length nobody could read (no ffprobe) has start == end: "0 s long" would mislead the model.
        var length = clip.EndedAt - clip.StartedAt;
        var lengthText = length > TimeSpan.Zero ? $"{length.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s long" : "duration unknown";
        return $"Camera '{clip.CameraName}', clip recorded at {clip.StartedAt.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)}, " +
               $"{lengthText}; {detected}. " +
               $"{frames.Count} frames follow in time order, taken at {times}.";
    }

    private static JsonObject TextPart(string text) => new() { ["type"] = "text", ["text"] = text };
}
