using System.Text;

namespace HomeSec.Core.Plugins.Storage.Local;

/// <summary>
/// Stores objects as files under a root folder. Writes go to a temporary file in <c>{root}/.partial/</c>
/// first and are then renamed, so a stored object is always complete; a second put of the same content
/// is a no-op. Temporary files left by a killed process are removed when the storage starts.
/// </summary>
public sealed class LocalStorage : IStorageBackend, ILocalFileStorage
{
    private const int CopyBufferSize = 1 << 20;
    private readonly LocalStorageOptions _options;
    private readonly string _partialFolder;

    public LocalStorage(LocalStorageOptions options)
    {
        _options = options;
        _partialFolder = Path.Combine(options.Root, ".partial");
        if (Directory.Exists(_partialFolder))
        {
            Directory.Delete(_partialFolder, recursive: true);
        }
    }

    public async Task<StoredObject> PutFileAsync(string localPath, string key, CancellationToken cancellationToken)
    {
        var target = PathOf(key);
        var sourceLength = new FileInfo(localPath).Length;
        if (File.Exists(target) && new FileInfo(target).Length == sourceLength)
        {
            return Describe(key, target);
        }

        await using (var source = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferSize, useAsync: true))
        {
            await WriteAtomicallyAsync(target, source, cancellationToken);
        }

        return Describe(key, target);
    }

    public async Task<StoredObject> PutJsonAsync(string key, string json, CancellationToken cancellationToken)
    {
        var target = PathOf(key);
        await using var source = new MemoryStream(Encoding.UTF8.GetBytes(json));
        await WriteAtomicallyAsync(target, source, cancellationToken);
        return Describe(key, target);
    }

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => Task.FromResult(File.Exists(PathOf(key)));

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult<Stream>(new FileStream(PathOf(key), FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferSize, useAsync: true));

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(key)); // nothing there: nothing to do
        return Task.CompletedTask;
    }

    public string LocalPathOf(string key) => PathOf(key);

    private async Task WriteAtomicallyAsync(string target, Stream content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Directory.CreateDirectory(_partialFolder);
        var temp = Path.Combine(_partialFolder, $"{Path.GetFileName(target)}.{Guid.NewGuid():N}");
        try
        {
            await using (var destination = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferSize, useAsync: true))
            {
                await content.CopyToAsync(destination, CopyBufferSize, cancellationToken);
                await destination.FlushAsync(cancellationToken);
                destination.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Keys are relative paths; one that would leave the root is a bug in the caller.</summary>
    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(_options.Root, key));
        if (!path.StartsWith(_options.Root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"storage key '{key}' leaves the storage root", nameof(key));
        }

        return path;
    }

    private StoredObject Describe(string key, string path)
    {
        var storageUri = $"local://{key}";
        var viewUrl = _options.ViewUrlBase is { } baseUri ? new Uri(baseUri, key).ToString() : new Uri(path).AbsoluteUri;
        return new StoredObject(storageUri, viewUrl);
    }
}
