using HomeSec.Core.Plugins.Filters.Yolo;
using Xunit;

namespace HomeSec.Tests.Plugins.Filters.Yolo;

public sealed class LetterboxSpecs
{
    [Fact]
    public void Should_scale_to_the_width_and_pad_top_and_bottom_when_the_source_is_wide()
    {
        // Given
        // a 1920x1080 source and a 640x640 model

        // When
        var letterbox = Letterbox.For(1920, 1080, 640, 640);

        // Then
        Assert.Equal((640, 360, 0, 140), (letterbox.ScaledWidth, letterbox.ScaledHeight, letterbox.PadX, letterbox.PadY));
    }

    [Fact]
    public void Should_scale_to_the_height_and_pad_left_and_right_when_the_source_is_tall()
    {
        // Given
        // a 720x1280 (portrait) source

        // When
        var letterbox = Letterbox.For(720, 1280, 640, 640);

        // Then
        Assert.Equal((360, 640, 140, 0), (letterbox.ScaledWidth, letterbox.ScaledHeight, letterbox.PadX, letterbox.PadY));
    }

    [Fact]
    public void Should_map_a_model_box_back_to_source_pixels_when_the_letterbox_is_undone()
    {
        // Given
        var letterbox = Letterbox.For(1280, 720, 640, 640);

        // When
        var box = letterbox.ToSource(40, 240, 120, 400);

        // Then
        Assert.Equal((80d, 200d, 240d, 520d), box);
    }

    [Fact]
    public void Should_clip_to_the_source_frame_when_a_box_reaches_into_the_padding()
    {
        // Given
        var letterbox = Letterbox.For(1280, 720, 640, 640);

        // When
        var box = letterbox.ToSource(-10, 100, 700, 600);

        // Then
        Assert.Equal((0d, 0d, 1280d, 720d), box);
    }
}
