using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;

namespace HomeSec.Core.Inference;

/// <summary>
/// What HomeSec needs to know about a YOLOv8/YOLO11 detection model, read from the ONNX file once at
/// start: input name and size, output name and layout, class names (Ultralytics <c>names</c> metadata,
/// else the 80 COCO classes), and whether the batch size is fixed at one.
/// </summary>
public sealed partial record DetectorModel(
    string Path,
    string Name,
    string InputName,
    int InputWidth,
    int InputHeight,
    string OutputName,
    YoloLayout? Layout,
    IReadOnlyList<string> ClassNames,
    bool FixedBatchOfOne)
{
    /// <summary>Floats in one frame's CHW tensor.</summary>
    public int FrameLength => 3 * InputWidth * InputHeight;

    /// <summary>Reads and checks the model; throws <see cref="InvalidDataException"/> with a message for people when it does not fit.</summary>
    public static DetectorModel Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model file '{path}' does not exist (export one with Ultralytics: yolo export model=yolov8n.pt format=onnx)", path);
        }

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        InferenceSession session;
        try
        {
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model ONNX Runtime can load: {ex.Message}", ex);
        }

        using (session)
        {
            return Describe(path, session);
        }
    }

    public static DetectorModel Describe(string path, InferenceSession session)
    {
        if (session.InputMetadata.Count != 1 || session.OutputMetadata.Count < 1)
        {
            throw new InvalidDataException($"'{path}' has {session.InputMetadata.Count} inputs and {session.OutputMetadata.Count} outputs; a YOLO detection model has one image input and a [1, 4+classes, anchors] output");
        }

        var (inputName, input) = session.InputMetadata.First();
        var dims = input.Dimensions;
        if (input.ElementType != typeof(float) || dims.Length != 4 || (dims[1] != 3 && dims[1] > 0))
        {
            throw new InvalidDataException($"'{path}' input '{inputName}' is {Shape(dims)} of {input.ElementType.Name}; expected [N, 3, height, width] of float (a YOLOv8/YOLO11 detection export)");
        }

        var height = dims[2] > 0 ? dims[2] : 640;
        var width = dims[3] > 0 ? dims[3] : 640;
        var (outputName, output) = session.OutputMetadata.First();
        var outDims = output.Dimensions;
        if (output.ElementType != typeof(float) || outDims.Length != 3)
        {
            throw new InvalidDataException($"'{path}' output '{outputName}' is {Shape(outDims)}; expected [N, 4+classes, anchors] or [N, anchors, 4+classes] (a detection model, not segmentation, pose or classification)");
        }

        var names = ParseNames(session.ModelMetadata.CustomMetadataMap.GetValueOrDefault("names"));
        YoloLayout? layout = null;
        if (outDims[1] > 0 || outDims[2] > 0)
        {
            if (names is null)
            {
                // No names: the model must be an 80-class (COCO) model.
                names = CocoClasses.Names;
            }

            layout = LayoutOf(outDims[1], outDims[2], names.Count)
                ?? throw new InvalidDataException(
                    $"'{path}' output '{outputName}' is {Shape(outDims)}; with {names.Count} classes expected [N, {4 + names.Count}, anchors] or [N, anchors, {4 + names.Count}]");
        }

        return new DetectorModel(path, System.IO.Path.GetFileNameWithoutExtension(path), inputName, width, height, outputName, layout, names ?? CocoClasses.Names, dims[0] == 1);
    }

    /// <summary>The layout of an output <c>[N, d1, d2]</c> for a model with <paramref name="classes"/> classes; null when neither fits. Dynamic (≤ 0) sizes match anything.</summary>
    public static YoloLayout? LayoutOf(long d1, long d2, int classes)
    {
        var channels = 4 + classes;
        if (d1 == channels)
        {
            return YoloLayout.ChannelsFirst;
        }

        if (d2 == channels)
        {
            return YoloLayout.AnchorsFirst;
        }

        return d1 <= 0 && d2 > 0 ? YoloLayout.ChannelsFirst : null;
    }

    /// <summary>Ultralytics writes <c>names</c> as a Python dict: <c>{0: 'person', 1: 'bicycle', ...}</c>.</summary>
    public static IReadOnlyList<string>? ParseNames(string? metadata)
    {
        if (string.IsNullOrWhiteSpace(metadata))
        {
            return null;
        }

        var byIndex = new SortedDictionary<int, string>();
        foreach (Match match in NameEntry().Matches(metadata))
        {
            byIndex[int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture)] = match.Groups["name"].Value;
        }

        if (byIndex.Count == 0 || byIndex.Keys.First() != 0 || byIndex.Keys.Last() != byIndex.Count - 1)
        {
            throw new InvalidDataException($"cannot read the class names metadata '{Truncate(metadata)}'; expected Ultralytics' {{0: 'person', 1: 'bicycle', ...}}");
        }

        return byIndex.Values.ToList();
    }

    private static string Shape(int[] dims) => "[" + string.Join(", ", dims.Select(d => d < 0 ? "?" : d.ToString(CultureInfo.InvariantCulture))) + "]";

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "…";

    [GeneratedRegex("""(?<index>\d+)\s*:\s*(?<q>['"])(?<name>.*?)\k<q>""")]
    private static partial Regex NameEntry();
}
