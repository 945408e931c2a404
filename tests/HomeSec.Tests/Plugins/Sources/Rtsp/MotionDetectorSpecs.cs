using HomeSec.Core.Plugins.Sources.Rtsp;
using Xunit;

namespace HomeSec.Tests.Plugins.Sources.Rtsp;

public sealed class MotionDetectorSpecs
{
    private const int Width = 320;
    private const int Height = 180;

    [Fact]
    public void Should_report_no_motion_when_only_the_first_frame_was_seen()
    {
        // Given
        var detector = new MotionDetector(Width, Height, pixelThreshold: 45, blurKernel: 5);

        // When
        var changed = detector.Measure(Frame(100));

        // Then
        Assert.Equal(0, changed);
    }

    [Fact]
    public void Should_report_no_motion_when_the_frames_differ_by_noise_below_the_pixel_threshold()
    {
        // Given
        var detector = new MotionDetector(Width, Height, pixelThreshold: 45, blurKernel: 5);
        var random = new Random(7);
        var first = Frame(100);
        var second = first.Select(p => (byte)(p + random.Next(-30, 31))).ToArray();
        detector.Measure(first);

        // When
        var changed = detector.Measure(second);

        // Then
        Assert.Equal(0, changed);
    }

    [Fact]
    public void Should_report_a_small_share_when_a_small_object_appears_and_a_large_share_when_a_large_one_does()
    {
        // Given
        var detector = new MotionDetector(Width, Height, pixelThreshold: 45, blurKernel: 5);
        var empty = Frame(60);
        detector.Measure(empty);

        // When
        var small = detector.Measure(WithBox(empty, x: 10, y: 10, size: 6, value: 220));
        detector.Measure(empty);
        var large = detector.Measure(WithBox(empty, x: 100, y: 50, size: 80, value: 220));

        // Then
        Assert.InRange(small, 0.01, 0.2);
        Assert.InRange(large, 80.0 * 80 * 100 / (Width * Height) * 0.8, 80.0 * 80 * 100 / (Width * Height) * 1.2);
    }

    [Fact]
    public void Should_ignore_isolated_changed_pixels_when_the_blur_spreads_them_below_the_threshold()
    {
        // Given
        var blurred = new MotionDetector(Width, Height, pixelThreshold: 45, blurKernel: 5);
        var unblurred = new MotionDetector(Width, Height, pixelThreshold: 45, blurKernel: 1);
        var empty = Frame(60);
        var speckled = (byte[])empty.Clone();
        for (var i = 0; i < 200; i++)
        {
            speckled[((i * 7919) + 13) % speckled.Length] = 255;
        }

        blurred.Measure(empty);
        unblurred.Measure(empty);

        // When
        var withBlur = blurred.Measure(speckled);
        var withoutBlur = unblurred.Measure(speckled);

        // Then
        Assert.Equal(0, withBlur);
        Assert.True(withoutBlur > 0, $"without blur the speckles count ({withoutBlur}%)");
    }

    [Fact]
    public void Should_ignore_changes_inside_a_masked_polygon_when_a_mask_is_given()
    {
        // Given
        MaskPolygon.TryParse("0,0 0.5,0 0.5,1 0,1", MaskUnits.Relative, out var leftHalf, out _);
        var mask = MotionMask.Rasterise(Width, Height, [leftHalf!]);
        var detector = new MotionDetector(Width, Height, pixelThreshold: 45, blurKernel: 5, mask);
        var empty = Frame(60);
        detector.Measure(empty);

        // When
        var inside = detector.Measure(WithBox(empty, x: 20, y: 40, size: 80, value: 220));
        detector.Measure(empty);
        var outside = detector.Measure(WithBox(empty, x: 200, y: 40, size: 80, value: 220));

        // Then
        Assert.Equal(Width * Height / 2, mask.IgnoredCount);
        Assert.Equal(0, inside);
        Assert.True(outside > 10, $"outside the mask the box counts ({outside}% of the watched half)");
    }

    [Theory]
    [InlineData(37, 23, 3, 20)]
    [InlineData(320, 180, 5, 45)]
    [InlineData(641, 361, 7, 30)]
    public void Should_count_the_same_pixels_as_a_plain_implementation_when_frames_are_random(int width, int height, int kernel, int threshold)
    {
        // Given
        var random = new Random(width * height);
        var first = new byte[width * height];
        var second = new byte[width * height];
        random.NextBytes(first);
        random.NextBytes(second);
        var detector = new MotionDetector(width, height, threshold, kernel);
        detector.Measure(first);

        // When
        detector.Measure(second);

        // Then
        Assert.Equal(ReferenceChangedPixels(first, second, width, height, kernel, threshold), detector.LastChangedPixels);
    }

    private static byte[] Frame(byte value) => Enumerable.Repeat(value, Width * Height).ToArray();

    private static byte[] WithBox(byte[] frame, int x, int y, int size, byte value)
    {
        var copy = (byte[])frame.Clone();
        for (var row = y; row < y + size; row++)
        {
            Array.Fill(copy, value, (row * Width) + x, size);
        }

        return copy;
    }

    private static int ReferenceChangedPixels(byte[] a, byte[] b, int width, int height, int kernel, int threshold)
    {
        var r = kernel / 2;
        var changed = 0;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                int sumA = 0, sumB = 0;
                for (var dy = -r; dy <= r; dy++)
                {
                    for (var dx = -r; dx <= r; dx++)
                    {
                        var index = (Math.Clamp(y + dy, 0, height - 1) * width) + Math.Clamp(x + dx, 0, width - 1);
                        sumA += a[index];
                        sumB += b[index];
                    }
                }

                if (Math.Abs(sumA - sumB) > threshold * kernel * kernel)
                {
                    changed++;
                }
            }
        }

        return changed;
    }
}
