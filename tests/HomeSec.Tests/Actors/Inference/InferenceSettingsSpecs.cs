using HomeSec.Actors.Inference;
using HomeSec.Core.Config;
using HomeSec.Core.Inference;
using HomeSec.Core.Plugins;
using HomeSec.Tests.TestSupport;
using Xunit;

namespace HomeSec.Tests.Actors.Inference;

/// <summary>Whether the inference pool starts is decided from the filter's config, not by building the filter plugin.</summary>
public sealed class InferenceSettingsSpecs
{
    [Fact]
    public void Should_start_the_pool_with_the_filters_model_when_the_filter_names_a_model()
    {
        // Given
        var yaml = ConfigYaml.With($"filter:\n  backend: yolo\n  config:\n    model_path: {YoloTestData.RedPatchModel}\n    inference_workers: 3\n");
        var config = AppConfigLoader.Load(yaml, PluginRegistries.CreateBuiltin(), _ => null);

        // When
        var settings = InferenceSettings.For(config.Filter);

        // Then
        var pool = Assert.IsType<InferencePoolSettings>(settings.Pool);
        Assert.Equal(Path.GetFullPath(YoloTestData.RedPatchModel), pool.Model.Path);
        Assert.Equal(3, pool.Options.Workers);
    }

    [Fact]
    public void Should_start_no_pool_and_hand_out_no_detector_when_the_filter_runs_no_model()
    {
        // Given
        var config = AppConfigLoader.Load(ConfigYaml.With("filter:\n  backend: none\n"), PluginRegistries.CreateBuiltin(), _ => null);

        // When
        var settings = InferenceSettings.For(config.Filter);

        // Then
        Assert.Null(settings.Pool);
        var model = DetectorModel.Load(YoloTestData.RedPatchModel);
        Assert.Throws<InvalidOperationException>(() => settings.Client.Detector(model, InferenceOptions.Default));
    }
}
