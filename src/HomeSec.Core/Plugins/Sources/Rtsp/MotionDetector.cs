using System.Numerics;

namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>
/// Frame-to-frame motion measure on gray frames, the seed's algorithm (blur, absolute difference, pixel
/// threshold, share of changed pixels) without allocations per frame and with SIMD.
/// The blur is a box blur, and frames are compared as unnormalised window sums against
/// <c>pixel_threshold × kernel²</c>: the same test as comparing blurred pixels, without a division per pixel.
/// </summary>
public sealed class MotionDetector
{
    private readonly int _width;
    private readonly int _height;
    private readonly int _kernel;
    private readonly int _radius;
    private readonly ushort[] _paddedRow;
    private readonly ushort[] _rowSums;
    private readonly ushort[] _watched;
    private readonly int _watchedCount;
    private readonly ushort _sumThreshold;
    private ushort[] _current;
    private ushort[] _previous;
    private bool _hasPrevious;

    public MotionDetector(int width, int height, int pixelThreshold, int blurKernel, MotionMask? mask = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(blurKernel, 1);
        // Window sums stay in 16 bits: 255 × 15² = 57375.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blurKernel, 15);
        if (blurKernel % 2 == 0)
        {
            throw new ArgumentException("the blur kernel must be odd", nameof(blurKernel));
        }

        if (mask is not null && (mask.Width != width || mask.Height != height))
        {
            throw new ArgumentException($"the mask is {mask.Width}x{mask.Height}, frames are {width}x{height}", nameof(mask));
        }

        _width = width;
        _height = height;
        _kernel = blurKernel;
        _radius = blurKernel / 2;
        _paddedRow = new ushort[width + (2 * _radius) + Vector<ushort>.Count];
        _rowSums = new ushort[width * height];
        _current = new ushort[width * height];
        _previous = new ushort[width * height];
        _watched = new ushort[width * height];
        _watchedCount = 0;
        for (var i = 0; i < _watched.Length; i++)
        {
            if (mask is null || !mask.Ignored[i])
            {
                _watched[i] = ushort.MaxValue;
                _watchedCount++;
            }
        }

        _sumThreshold = (ushort)Math.Min(ushort.MaxValue, pixelThreshold * blurKernel * blurKernel);
    }

    public int FrameSize => _width * _height;

    /// <summary>Pixels that changed in the last measured frame (masked pixels excluded).</summary>
    public int LastChangedPixels { get; private set; }

    /// <summary>
    /// Blurs the frame, compares it with the previous one and returns the changed share of the watched
    /// pixels in percent (0 for the first frame after construction or <see cref="Reset"/>).
    /// </summary>
    public double Measure(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < FrameSize)
        {
            throw new ArgumentException($"a frame has {FrameSize} bytes, got {frame.Length}", nameof(frame));
        }

        for (var y = 0; y < _height; y++)
        {
            SumRow(frame.Slice(y * _width, _width), _rowSums.AsSpan(y * _width, _width));
        }

        var changed = SumColumnsAndCompare();
        (_current, _previous) = (_previous, _current);
        var compared = _hasPrevious;
        _hasPrevious = true;
        LastChangedPixels = compared ? changed : 0;
        return compared && _watchedCount > 0 ? LastChangedPixels * 100.0 / _watchedCount : 0;
    }

    /// <summary>Forgets the previous frame, e.g. after a reconnect, so the gap is not mistaken for motion.</summary>
    public void Reset() => _hasPrevious = false;

    /// <summary>Horizontal window sums of one row, edges replicated.</summary>
    private void SumRow(ReadOnlySpan<byte> row, Span<ushort> sums)
    {
        var padded = _paddedRow.AsSpan();
        var r = _radius;
        var x = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; x <= row.Length - Vector<byte>.Count; x += Vector<byte>.Count)
            {
                Vector.Widen(new Vector<byte>(row[x..]), out var low, out var high);
                low.CopyTo(padded[(r + x)..]);
                high.CopyTo(padded[(r + x + Vector<ushort>.Count)..]);
            }
        }

        for (; x < row.Length; x++)
        {
            padded[r + x] = row[x];
        }

        for (var i = 0; i < r; i++)
        {
            padded[i] = row[0];
            padded[r + row.Length + i] = row[^1];
        }

        var width = row.Length;
        x = 0;
        if (Vector.IsHardwareAccelerated && width >= Vector<ushort>.Count)
        {
            var lanes = Vector<ushort>.Count;
            // Pure per-position map: the last vector may overlap the previous one.
            for (var start = 0; start < width; start += lanes)
            {
                var at = Math.Min(start, width - lanes);
                var sum = new Vector<ushort>(padded[at..]);
                for (var k = 1; k < _kernel; k++)
                {
                    sum += new Vector<ushort>(padded[(at + k)..]);
                }

                sum.CopyTo(sums[at..]);
            }

            return;
        }

        for (; x < width; x++)
        {
            var sum = 0;
            for (var k = 0; k < _kernel; k++)
            {
                sum += padded[x + k];
            }

            sums[x] = (ushort)sum;
        }
    }

    /// <summary>
    /// Vertical window sums, compared with the previous frame's as they are made. Row y's sums are row
    /// y-1's plus the row entering the window minus the row leaving it, so each row is one fused pass.
    /// </summary>
    private int SumColumnsAndCompare()
    {
        var width = _width;
        var current = _current.AsSpan();
        var first = current[..width];
        first.Clear();
        for (var dy = -_radius; dy <= _radius; dy++)
        {
            Add(first, RowSums(Math.Clamp(dy, 0, _height - 1)));
        }

        var changed = _hasPrevious ? CountChanged(first, _previous.AsSpan(0, width), _watched.AsSpan(0, width)) : 0;
        for (var y = 1; y < _height; y++)
        {
            var offset = y * width;
            changed += SlideAndCompare(
                current.Slice(offset, width),
                current.Slice(offset - width, width),
                RowSums(Math.Min(y + _radius, _height - 1)),
                RowSums(Math.Max(y - _radius - 1, 0)),
                _previous.AsSpan(offset, width),
                _watched.AsSpan(offset, width));
        }

        return changed;
    }

    private int SlideAndCompare(Span<ushort> row, ReadOnlySpan<ushort> above, ReadOnlySpan<ushort> entering, ReadOnlySpan<ushort> leaving,
        ReadOnlySpan<ushort> previous, ReadOnlySpan<ushort> watched)
    {
        var x = 0;
        var changed = 0;
        var compare = _hasPrevious;
        if (Vector.IsHardwareAccelerated)
        {
            var threshold = new Vector<ushort>(_sumThreshold);
            var counts = Vector<ushort>.Zero;
            for (; x <= row.Length - Vector<ushort>.Count; x += Vector<ushort>.Count)
            {
                // Wraps in 16 bits on the way, exact at the end: the true sum always fits.
                var sum = new Vector<ushort>(above[x..]) + new Vector<ushort>(entering[x..]) - new Vector<ushort>(leaving[x..]);
                sum.CopyTo(row[x..]);
                if (compare)
                {
                    var before = new Vector<ushort>(previous[x..]);
                    var difference = Vector.Max(sum, before) - Vector.Min(sum, before);
                    // A true lane is all ones (= -1 in 16 bits): subtracting it counts one.
                    counts -= Vector.GreaterThan(difference, threshold) & new Vector<ushort>(watched[x..]);
                }
            }

            Vector.Widen(counts, out var low, out var high);
            changed = (int)(Vector.Sum(low) + Vector.Sum(high));
        }

        for (; x < row.Length; x++)
        {
            row[x] = (ushort)(above[x] + entering[x] - leaving[x]);
            if (compare && watched[x] != 0 && Math.Abs(row[x] - previous[x]) > _sumThreshold)
            {
                changed++;
            }
        }

        return changed;
    }

    private ReadOnlySpan<ushort> RowSums(int y) => _rowSums.AsSpan(y * _width, _width);

    private static void Add(Span<ushort> target, ReadOnlySpan<ushort> add)
    {
        var x = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; x <= target.Length - Vector<ushort>.Count; x += Vector<ushort>.Count)
            {
                (new Vector<ushort>(target[x..]) + new Vector<ushort>(add[x..])).CopyTo(target[x..]);
            }
        }

        for (; x < target.Length; x++)
        {
            target[x] += add[x];
        }
    }

    private int CountChanged(ReadOnlySpan<ushort> current, ReadOnlySpan<ushort> previous, ReadOnlySpan<ushort> watched)
    {
        var x = 0;
        var changed = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var threshold = new Vector<ushort>(_sumThreshold);
            var counts = Vector<ushort>.Zero;
            for (; x <= current.Length - Vector<ushort>.Count; x += Vector<ushort>.Count)
            {
                var a = new Vector<ushort>(current[x..]);
                var b = new Vector<ushort>(previous[x..]);
                var difference = Vector.Max(a, b) - Vector.Min(a, b);
                // A true lane is all ones (= -1 in 16 bits): subtracting it counts one.
                counts -= Vector.GreaterThan(difference, threshold) & new Vector<ushort>(watched[x..]);
            }

            Vector.Widen(counts, out var low, out var high);
            changed = (int)(Vector.Sum(low) + Vector.Sum(high));
        }

        for (; x < current.Length; x++)
        {
            if (watched[x] != 0 && Math.Abs(current[x] - previous[x]) > _sumThreshold)
            {
                changed++;
            }
        }

        return changed;
    }
}
