namespace HomeSec.Core.Plugins.Sources.Rtsp;

/// <summary>Just enough of MPEG-TS (ISO 13818-1) to cut a stream at keyframes: PIDs, PAT/PMT, random access points.</summary>
internal static class TsPacket
{
    public const int Size = 188;
    public const byte SyncByte = 0x47;
    public const int PatPid = 0;

    public static int Pid(ReadOnlySpan<byte> packet) => ((packet[1] & 0x1F) << 8) | packet[2];

    public static bool StartsPayloadUnit(ReadOnlySpan<byte> packet) => (packet[1] & 0x40) != 0;

    /// <summary>The first PMT PID a PAT lists, or -1.</summary>
    public static int PmtPidFromPat(ReadOnlySpan<byte> packet)
    {
        var section = SectionStart(packet);
        if (section < 0 || section + 8 > Size || packet[section] != 0x00)
        {
            return -1;
        }

        var sectionLength = ((packet[section + 1] & 0x0F) << 8) | packet[section + 2];
        var end = Math.Min(Size, section + 3 + sectionLength - 4); // without the CRC
        for (var entry = section + 8; entry + 4 <= end; entry += 4)
        {
            var programNumber = (packet[entry] << 8) | packet[entry + 1];
            if (programNumber != 0)
            {
                return ((packet[entry + 2] & 0x1F) << 8) | packet[entry + 3];
            }
        }

        return -1;
    }

    /// <summary>The PID of the first video stream a PMT lists, or -1.</summary>
    public static int VideoPidFromPmt(ReadOnlySpan<byte> packet)
    {
        var section = SectionStart(packet);
        if (section < 0 || section + 12 > Size || packet[section] != 0x02)
        {
            return -1;
        }

        var sectionLength = ((packet[section + 1] & 0x0F) << 8) | packet[section + 2];
        var end = Math.Min(Size, section + 3 + sectionLength - 4);
        var programInfoLength = ((packet[section + 10] & 0x0F) << 8) | packet[section + 11];
        for (var entry = section + 12 + programInfoLength; entry + 5 <= end;)
        {
            var streamType = packet[entry];
            var pid = ((packet[entry + 1] & 0x1F) << 8) | packet[entry + 2];
            if (streamType is 0x01 or 0x02 or 0x10 or 0x1B or 0x24)
            {
                return pid;
            }

            entry += 5 + (((packet[entry + 3] & 0x0F) << 8) | packet[entry + 4]);
        }

        return -1;
    }

    /// <summary>
    /// A packet that starts a video access unit decodable on its own: the adaptation field's
    /// random_access_indicator (ffmpeg's muxer sets it on keyframes), or else an H.264 SPS/IDR NAL unit
    /// at the start of the PES payload.
    /// </summary>
    public static bool StartsKeyframe(ReadOnlySpan<byte> packet)
    {
        if (!StartsPayloadUnit(packet))
        {
            return false;
        }

        var adaptation = (packet[3] >> 4) & 0x3;
        var payload = 4;
        if (adaptation is 2 or 3)
        {
            var length = packet[4];
            if (length > 0 && (packet[5] & 0x40) != 0)
            {
                return true;
            }

            payload = 5 + length;
        }

        if (adaptation is 0 or 2 || payload + 9 > Size)
        {
            return false;
        }

        var pes = packet[payload..];
        if (pes[0] != 0 || pes[1] != 0 || pes[2] != 1)
        {
            return false;
        }

        var elementary = pes[(9 + pes[8])..];
        for (var i = 0; i + 3 < elementary.Length; i++)
        {
            if (elementary[i] == 0 && elementary[i + 1] == 0 && elementary[i + 2] == 1)
            {
                var nalType = elementary[i + 3] & 0x1F;
                if (nalType is 5 or 7)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The 90 kHz presentation time of a packet that starts a PES with one.</summary>
    public static bool TryReadPts(ReadOnlySpan<byte> packet, out long pts)
    {
        pts = 0;
        if (!StartsPayloadUnit(packet))
        {
            return false;
        }

        var adaptation = (packet[3] >> 4) & 0x3;
        var payload = adaptation is 2 or 3 ? 5 + packet[4] : 4;
        if (adaptation is 0 or 2 || payload + 14 > Size)
        {
            return false;
        }

        var pes = packet[payload..];
        if (pes[0] != 0 || pes[1] != 0 || pes[2] != 1 || (pes[7] & 0x80) == 0)
        {
            return false;
        }

        pts = ((long)(pes[9] & 0x0E) << 29) | ((long)pes[10] << 22) | ((long)(pes[11] & 0xFE) << 14) | ((long)pes[12] << 7) | ((long)pes[13] >> 1);
        return true;
    }

    private static int SectionStart(ReadOnlySpan<byte> packet)
    {
        if (!StartsPayloadUnit(packet))
        {
            return -1;
        }

        var adaptation = (packet[3] >> 4) & 0x3;
        var payload = adaptation is 2 or 3 ? 5 + packet[4] : 4;
        if (adaptation is 0 or 2 || payload >= Size)
        {
            return -1;
        }

        return payload + 1 + packet[payload]; // pointer_field
    }
}
