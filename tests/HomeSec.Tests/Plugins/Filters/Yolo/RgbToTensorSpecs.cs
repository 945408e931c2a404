using HomeSec.Core.Plugins.Filters.Yolo;
using Xunit;

namespace HomeSec.Tests.Plugins.Filters.Yolo;

public sealed class RgbToTensorSpecs
{
    [Fact]
    public void Should_write_planar_channels_scaled_to_one_when_converting_packed_rgb()
    {
        // Given
        byte[] rgb = [255, 0, 51, 0, 102, 255];
        var tensor = new float[6];

        // When
        RgbToTensor.Convert(rgb, tensor);

        // Then
        Assert.Equal([1f, 0f, 0f, 0.4f, 0.2f, 1f], tensor.Select(v => MathF.Round(v, 4)));
    }

    [Fact]
    public void Should_refuse_a_tensor_too_small_for_the_pixels()
    {
        // Given
        var rgb = new byte[12];
        var tensor = new float[9];

        // When
        var error = Record.Exception(() => RgbToTensor.Convert(rgb, tensor));

        // Then
        Assert.IsType<ArgumentException>(error);
    }
}
