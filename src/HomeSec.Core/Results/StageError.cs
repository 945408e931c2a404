using HomeSec.Core.Clips;

namespace HomeSec.Core.Results;

/// <summary>
/// An expected failure of one pipeline stage, as a value. It keeps the original exception
/// so nothing is lost; <see cref="Describe"/> gives the persisted, exception-free form.
/// </summary>
public abstract record StageError(ClipId ClipId, Stage Stage, string Plugin, Exception Exception)
{
    public string Message => Exception.Message;

    public ErrorInfo Describe() => new(Stage.ToWireName(), Plugin, Exception.GetType().Name, Exception.Message);
}

public sealed record UploadError(ClipId ClipId, string Plugin, Exception Exception)
    : StageError(ClipId, Stage.Upload, Plugin, Exception);

public sealed record FilterError(ClipId ClipId, string Plugin, Exception Exception)
    : StageError(ClipId, Stage.Filter, Plugin, Exception);

public sealed record VlmError(ClipId ClipId, string Plugin, Exception Exception)
    : StageError(ClipId, Stage.Vlm, Plugin, Exception);

public sealed record NotifyError(ClipId ClipId, string Plugin, Exception Exception)
    : StageError(ClipId, Stage.Notify, Plugin, Exception);

/// <summary>The persisted description of a stage error.</summary>
public sealed record ErrorInfo(string Stage, string Plugin, string ExceptionType, string Message);
