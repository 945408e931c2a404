using System.Collections.Concurrent;
using HomeSec.Core.Alerts;
using HomeSec.Core.Clips;
using HomeSec.Core.Inference;

namespace HomeSec.Core.Plugins.Filters.Yolo;

/// <summary>
/// The <c>yolo</c> filter: samples a clip's frames with ffmpeg, has the detector (the inference pool)
/// run the model on each, keeps the configured classes above the minimum confidence and box height,
/// suppresses overlapping boxes per class, maps boxes back to source pixels, and stops early once a
/// trigger class is seen. Decoding the next frame overlaps with the model run of the current one.
/// </summary>
public sealed class YoloFilter : IObjectFilter, Alerts.Live.ILiveDetector
{
    private readonly YoloFilterOptions _options;
    private readonly DetectorModel _model;
    private readonly IDetector _detector;
    private readonly IReadOnlyCollection<string> _triggerClasses;
    private readonly HashSet<int>? _keptClassIds;
    private readonly ConcurrentBag<byte[]> _buffers = [];

    public YoloFilter(YoloFilterOptions options, IDetector detector, IReadOnlyCollection<string> triggerClasses)
    {
        _options = options;
        _model = options.Model ?? throw new ArgumentException("the yolo filter needs a model that was read", nameof(options));
        _detector = detector;
        _triggerClasses = triggerClasses;
        _keptClassIds = options.Classes.Count == 0
            ? null
            : options.Classes.Select(c => _model.ClassNames.ToList().IndexOf(c)).Where(i => i >= 0).ToHashSet();
    }

    public DetectorModel Model => _model;

    public async Task<FilterResult> DetectAsync(RecordedClip clip, CancellationToken cancellationToken)
    {
        await using var sampler = await FrameSampler.StartAsync(clip.LocalPath, _options.SampleFps, _model.InputWidth, _model.InputHeight, cancellationToken);
        var current = Rent();
        var next = Rent();
        var frames = new List<FrameDetections>();
        var classes = new List<string>();
        var best = 0.0;
        var sampled = 0;
        var triggered = false;
        var finished = false;
        try
        {
            var hasFrame = await sampler.ReadFrameAsync(current, cancellationToken);
            while (hasFrame)
            {
                var index = sampled++;
                var running = _detector.DetectAsync(current, _options.MinConfidence, cancellationToken);
                // ffmpeg decodes the next frame while the model looks at this one.
                hasFrame = await sampler.ReadFrameAsync(next, cancellationToken);
                var boxes = Keep(await running, sampler.Letterbox);
                if (boxes.Count > 0)
                {
                    frames.Add(new FrameDetections(sampler.TimeOf(index).TotalSeconds, boxes));
                    foreach (var box in boxes)
                    {
                        if (!classes.Contains(box.Class, StringComparer.Ordinal))
                        {
                            classes.Add(box.Class);
                        }

                        best = Math.Max(best, box.Confidence);
                    }

                    if (_options.EarlyExit && boxes.Any(b => _triggerClasses.Contains(b.Class, StringComparer.OrdinalIgnoreCase)))
                    {
                        triggered = true;
                        break;
                    }
                }

                (current, next) = (next, current);
            }

            if (!triggered)
            {
                // Throws for a clip ffmpeg could not decode (or one with no frame at all).
                await sampler.CompleteAsync(cancellationToken);
            }

            finished = true;
        }
        finally
        {
            // After a cancel or a failure the pool may still read a frame it was sent: only give buffers back after a normal end.
            if (finished)
            {
                _buffers.Add(current);
                _buffers.Add(next);
            }
        }

        return new FilterResult(classes, Math.Round(best, 4), sampled, _model.Name)
        {
            Frames = frames,
            FrameWidth = sampler.Letterbox.SourceWidth,
            FrameHeight = sampler.Letterbox.SourceHeight,
        };
    }

    /// <summary>One decoded frame (live detection): letterboxed here, run through the same pool, kept by the same rules.</summary>
    public async Task<IReadOnlyList<DetectedBox>> DetectFrameAsync(byte[] rgb, int width, int height, CancellationToken cancellationToken)
    {
        var letterbox = Letterbox.For(width, height, _model.InputWidth, _model.InputHeight);
        var input = new byte[_model.InputWidth * _model.InputHeight * 3];
        letterbox.Draw(rgb, input);
        return Keep(await _detector.DetectAsync(input, _options.MinConfidence, cancellationToken), letterbox);
    }

    /// <summary>Class filter, NMS per class, letterbox undone, minimum box height (a share of the source frame's height).</summary>
    internal List<DetectedBox> Keep(IReadOnlyList<Detection> candidates, Letterbox letterbox)
    {
        var wanted = _keptClassIds is null ? candidates : candidates.Where(d => _keptClassIds.Contains(d.ClassId)).ToList();
        var kept = new List<DetectedBox>();
        foreach (var detection in NonMaxSuppression.Apply(wanted, _options.IouThreshold))
        {
            if (detection.Confidence < _options.MinConfidence || detection.ClassId < 0 || detection.ClassId >= _model.ClassNames.Count)
            {
                continue;
            }

            var (x1, y1, x2, y2) = letterbox.ToSource(detection.X1, detection.Y1, detection.X2, detection.Y2);
            if (y2 - y1 < _options.MinBoxHeightRatio * letterbox.SourceHeight || x2 <= x1 || y2 <= y1)
            {
                continue;
            }

            kept.Add(new DetectedBox(_model.ClassNames[detection.ClassId], Math.Round(detection.Confidence, 4),
                Math.Round(x1, 1), Math.Round(y1, 1), Math.Round(x2, 1), Math.Round(y2, 1)));
        }

        return kept;
    }

    private byte[] Rent() => _buffers.TryTake(out var buffer) ? buffer : new byte[_model.FrameLength];
}
