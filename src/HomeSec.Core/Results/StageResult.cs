namespace HomeSec.Core.Results;

/// <summary>Success with a value, or a typed stage error. Match on it with <c>switch</c>.</summary>
public abstract record StageResult<T>
{
    private StageResult() { }

    public sealed record Success(T Value) : StageResult<T>;

    public sealed record Failure(StageError Error) : StageResult<T>;

    public static StageResult<T> Ok(T value) => new Success(value);

    public static StageResult<T> Fail(StageError error) => new Failure(error);
}
