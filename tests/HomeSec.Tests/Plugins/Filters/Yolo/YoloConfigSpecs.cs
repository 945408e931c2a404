using HomeSec.Core.Config;
using HomeSec.Core.Inference;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Filters.Yolo;
using HomeSec.Tests.TestSupport;
using Xunit;

namespace HomeSec.Tests.Plugins.Filters.Yolo;

public sealed class YoloConfigSpecs
{
    private static string Config(string modelPath, string extra = "", string triggers = "[person]") => ConfigYaml.With($"""
        filter:
          backend: yolo
          trigger_classes: {triggers}
          config:
            model_path: {modelPath}
        {extra}
        """);

    private static ConfigException LoadFails(string yaml) =>
        Assert.Throws<ConfigException>(() => AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), _ => null));

    [Fact]
    public void Should_read_the_model_and_defaults_when_the_model_file_fits()
    {
        // Given
        var yaml = Config(YoloTestData.RedPatchModel);

        // When
        var config = AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), _ => null);

        // Then
        var options = Assert.IsType<YoloFilterOptions>(config.Filter.Plugin.Options);
        Assert.Equal(["person", "car"], options.Model!.ClassNames);
        Assert.Equal((640, 640, YoloLayout.ChannelsFirst), (options.Model.InputWidth, options.Model.InputHeight, options.Model.Layout));
        Assert.Equal((2.0, 0.5f, 0.45f, true), (options.SampleFps, options.MinConfidence, options.IouThreshold, options.EarlyExit));
        Assert.Equal(InferenceOptions.Default, options.Inference);
    }

    [Fact]
    public void Should_name_model_path_when_the_model_file_is_missing()
    {
        // Given
        var yaml = Config("/nonexistent/yolov8n.onnx");

        // When
        var error = LoadFails(yaml);

        // Then
        var item = Assert.Single(error.Errors);
        Assert.Equal("filter.config.model_path", item.Path);
        Assert.Contains("does not exist", item.Message);
    }

    [Fact]
    public void Should_name_model_path_when_the_model_is_not_a_detection_model()
    {
        // Given
        var yaml = Config(YoloTestData.WrongShapeModel);

        // When
        var error = LoadFails(yaml);

        // Then
        var item = Assert.Single(error.Errors);
        Assert.Equal("filter.config.model_path", item.Path);
        Assert.Contains("[N, 4+classes, anchors]", item.Message);
    }

    [Fact]
    public void Should_name_classes_when_a_class_is_not_in_the_model()
    {
        // Given
        var yaml = Config(YoloTestData.RedPatchModel, "    classes: [person, truck]");

        // When
        var error = LoadFails(yaml);

        // Then
        var item = Assert.Single(error.Errors);
        Assert.Equal("filter.config.classes", item.Path);
        Assert.Contains("'truck'", item.Message);
    }

    [Fact]
    public void Should_name_trigger_classes_when_a_trigger_class_is_not_in_the_model()
    {
        // Given
        var yaml = Config(YoloTestData.RedPatchModel, triggers: "[person, dog]");

        // When
        var error = LoadFails(yaml);

        // Then
        var item = Assert.Single(error.Errors);
        Assert.Equal("filter.trigger_classes", item.Path);
        Assert.Contains("'dog'", item.Message);
    }

    [Fact]
    public void Should_name_execution_provider_when_cuda_is_asked_for_without_a_gpu_runtime()
    {
        // Given
        // the CPU build of ONNX Runtime (the one HomeSec ships)
        var yaml = Config(YoloTestData.RedPatchModel, "    execution_provider: cuda");

        // When
        var error = LoadFails(yaml);

        // Then
        Assert.Equal("filter.config.execution_provider", Assert.Single(error.Errors).Path);
    }
}
