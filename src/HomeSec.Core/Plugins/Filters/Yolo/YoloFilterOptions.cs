using HomeSec.Core.Config;
using HomeSec.Core.Config.Options;
using HomeSec.Core.Inference;

namespace HomeSec.Core.Plugins.Filters.Yolo;

/// <summary>
/// <c>filter.config</c> of the <c>yolo</c> filter. The model is read (and checked) while the config is
/// read, so a missing file, a model of the wrong shape or a class name the model lacks stops the start.
/// </summary>
/// <param name="Model">Null only when the model could not be read; the config then has an error.</param>
/// <param name="Classes">Class names to keep; empty keeps every class of the model.</param>
public sealed record YoloFilterOptions(
    DetectorModel? Model,
    [property: Option("sample_fps", Min = 0.01, Max = 60, Default = 2.0, Description = "frames per second of the clip the model looks at")] double SampleFps,
    [property: Option("min_confidence", Min = 0, Max = 1, Default = 0.5f)] float MinConfidence,
    [property: Option("iou_threshold", Min = 0, Max = 1, Default = 0.45f, Description = "overlap above which non-maximum suppression drops the weaker box")] float IouThreshold,
    [property: Option("min_box_h_ratio", Min = 0, Max = 1, Default = 0.0, Description = "smallest box height, as a share of the frame's, that counts")] double MinBoxHeightRatio,
    IReadOnlyList<string> Classes,
    [property: Option("early_exit", Default = true, Description = "stop sampling once a trigger class is seen")] bool EarlyExit,
    [property: OptionGroup] InferenceOptions Inference) : IClassNamesOptions, IDetectorModelOptions
{
    public IReadOnlyList<string>? ClassNames => Model?.ClassNames;

    public static YoloFilterOptions Read(ConfigSection config)
    {
        var modelPath = config.RequiredString("model_path");
        DetectorModel? model = null;
        if (modelPath.Length > 0)
        {
            try
            {
                model = DetectorModel.Load(Path.GetFullPath(modelPath));
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                config.Error("model_path", ex.Message);
            }
        }

        var classes = config.StringList("classes", []);
        if (model is not null)
        {
            foreach (var name in classes.Where(c => !model.ClassNames.Contains(c, StringComparer.Ordinal)))
            {
                config.Error("classes", $"class '{name}' is not one the model '{model.Name}' knows; it knows: {string.Join(", ", model.ClassNames)}");
            }
        }

        var options = OptionBinder.Bind<YoloFilterOptions>(config);
        if (options.Inference.Provider == ExecutionProviderChoice.Cuda)
        {
            try
            {
                OnnxDetectorSession.ChooseProvider(options.Inference.Provider);
            }
            catch (InvalidOperationException ex)
            {
                config.Error("execution_provider", ex.Message);
            }
        }

        return options with
        {
            Model = model,
            Classes = classes,
        };
    }
}
