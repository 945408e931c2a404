namespace HomeSec.Core.Clips;

/// <summary>queued_local → uploaded → analyzed → done | error | deleted.</summary>
public enum ClipStatus
{
    QueuedLocal,
    Uploaded,
    Analyzed,
    Done,
    Error,
    Deleted,
}

public static class ClipStatusNames
{
    public static string ToWireName(this ClipStatus status) => status switch
    {
        ClipStatus.QueuedLocal => "queued_local",
        ClipStatus.Uploaded => "uploaded",
        ClipStatus.Analyzed => "analyzed",
        ClipStatus.Done => "done",
        ClipStatus.Error => "error",
        ClipStatus.Deleted => "deleted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
