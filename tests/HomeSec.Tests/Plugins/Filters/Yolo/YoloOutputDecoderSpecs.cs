using HomeSec.Core.Inference;
using Xunit;

namespace HomeSec.Tests.Plugins.Filters.Yolo;

public sealed class YoloOutputDecoderSpecs
{
    // Three anchors, two classes. Anchor 0: class 1 at 0.9; anchor 1: class 0 at 0.3; anchor 2: class 0 at 0.6.
    private static readonly float[][] Anchors =
    [
        [100, 50, 20, 40, 0.1f, 0.9f],
        [10, 10, 4, 4, 0.3f, 0.2f],
        [300, 200, 60, 80, 0.6f, 0.5f],
    ];

    private static float[] AnchorsFirst() => Anchors.SelectMany(a => a).ToArray();

    private static float[] ChannelsFirst() => Enumerable.Range(0, 6).SelectMany(c => Anchors.Select(a => a[c])).ToArray();

    [Theory]
    [InlineData(YoloLayout.ChannelsFirst)]
    [InlineData(YoloLayout.AnchorsFirst)]
    public void Should_give_the_best_class_and_corner_box_per_anchor_when_decoding_either_layout(YoloLayout layout)
    {
        // Given
        var output = layout == YoloLayout.ChannelsFirst ? ChannelsFirst() : AnchorsFirst();
        var found = new List<Detection>();

        // When
        YoloOutputDecoder.Decode(output, layout, anchors: 3, classes: 2, minConfidence: 0.5f, found);

        // Then
        Assert.Equal(2, found.Count);
        Assert.Equal(new Detection(1, 0.9f, 90, 30, 110, 70), found[0]);
        Assert.Equal(new Detection(0, 0.6f, 270, 160, 330, 240), found[1]);
    }

    [Fact]
    public void Should_pick_the_same_class_in_both_layouts_when_many_anchors_have_ties_and_nan()
    {
        // Given
        // more anchors than one SIMD vector holds and not a multiple of it; scores in steps of 0.05 so classes tie
        const int anchors = 8403;
        const int classes = 7;
        var random = new Random(4);
        var rows = Enumerable.Range(0, anchors).Select(_ => new float[4 + classes]).ToArray();
        foreach (var row in rows)
        {
            for (var c = 0; c < 4; c++)
            {
                row[c] = random.Next(1, 640);
            }

            for (var c = 4; c < row.Length; c++)
            {
                row[c] = random.Next(0, 21) * 0.05f;
            }
        }

        rows[17][4 + 3] = float.NaN;
        rows[8402][4] = float.NaN;
        var anchorsFirst = rows.SelectMany(r => r).ToArray();
        var channelsFirst = Enumerable.Range(0, 4 + classes).SelectMany(c => rows.Select(r => r[c])).ToArray();
        var fromAnchorsFirst = new List<Detection>();
        var fromChannelsFirst = new List<Detection>();

        // When
        YoloOutputDecoder.Decode(anchorsFirst, YoloLayout.AnchorsFirst, anchors, classes, 0.5f, fromAnchorsFirst);
        YoloOutputDecoder.Decode(channelsFirst, YoloLayout.ChannelsFirst, anchors, classes, 0.5f, fromChannelsFirst);

        // Then
        Assert.NotEmpty(fromAnchorsFirst);
        Assert.Equal(fromAnchorsFirst, fromChannelsFirst);
    }

    [Fact]
    public void Should_drop_anchors_below_the_minimum_confidence_when_decoding()
    {
        // Given
        var output = ChannelsFirst();
        var found = new List<Detection>();

        // When
        YoloOutputDecoder.Decode(output, YoloLayout.ChannelsFirst, 3, 2, minConfidence: 0.95f, found);

        // Then
        Assert.Empty(found);
    }

    [Fact]
    public void Should_refuse_an_output_whose_size_does_not_match_when_decoding()
    {
        // Given
        var output = new float[17];

        // When
        var error = Record.Exception(() => YoloOutputDecoder.Decode(output, YoloLayout.ChannelsFirst, 3, 2, 0.5f, []));

        // Then
        Assert.IsType<ArgumentException>(error);
    }

    [Theory]
    [InlineData(84, 8400, 80, YoloLayout.ChannelsFirst)]
    [InlineData(8400, 84, 80, YoloLayout.AnchorsFirst)]
    [InlineData(6, 3, 2, YoloLayout.ChannelsFirst)]
    [InlineData(-1, 8400, 80, YoloLayout.ChannelsFirst)]
    public void Should_recognise_the_layout_when_the_output_shape_fits_the_classes(long d1, long d2, int classes, YoloLayout expected)
    {
        // Given
        // an output [N, d1, d2] of a model with this many classes

        // When
        var layout = DetectorModel.LayoutOf(d1, d2, classes);

        // Then
        Assert.Equal(expected, layout);
    }

    [Fact]
    public void Should_have_no_layout_when_the_output_shape_does_not_fit_the_classes()
    {
        // Given
        // a 80-class model whose output has 85 rows (a YOLOv5-style output with objectness)

        // When
        var layout = DetectorModel.LayoutOf(85, 25200, 80);

        // Then
        Assert.Null(layout);
    }

    [Fact]
    public void Should_read_ultralytics_names_when_the_metadata_is_a_python_dict()
    {
        // Given
        const string metadata = "{0: 'person', 1: 'bicycle', 2: \"o'clock\", 3: 'traffic light'}";

        // When
        var names = DetectorModel.ParseNames(metadata);

        // Then
        Assert.Equal(["person", "bicycle", "o'clock", "traffic light"], names);
    }

    [Fact]
    public void Should_default_to_no_names_when_there_is_no_metadata()
    {
        // Given
        string? metadata = null;

        // When
        var names = DetectorModel.ParseNames(metadata);

        // Then
        Assert.Null(names);
        Assert.Equal(80, CocoClasses.Names.Count);
        Assert.Equal("truck", CocoClasses.Names[7]);
    }
}
