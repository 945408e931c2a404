namespace HomeSec.Core.Media;

public static class VideoFiles
{
    /// <summary>The file endings a source takes as clips unless its <c>extensions</c> says otherwise (local_folder and ftp alike).</summary>
    public static readonly IReadOnlyList<string> DefaultExtensions = [".mp4", ".mkv", ".mov", ".avi", ".ts"];
}
