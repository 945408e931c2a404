namespace HomeSec.Core.Results;

public enum Stage
{
    Upload,
    Filter,
    Vlm,
    Notify,
}

public static class StageNames
{
    public static string ToWireName(this Stage stage) => stage switch
    {
        Stage.Upload => "upload",
        Stage.Filter => "filter",
        Stage.Vlm => "vlm",
        Stage.Notify => "notify",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
    };
}
