using System.Text;
using HomeSec.Core.Clips;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins;
using HomeSec.Core.Plugins.Storage.Local;
using HomeSec.Tests.TestSupport;
using Xunit;

namespace HomeSec.Tests.Plugins.Storage;

public sealed class LocalStorageSpecs : IDisposable
{
    private static readonly DateTimeOffset Started = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _temp = new();

    private string Root => _temp.Combine("storage");

    public void Dispose() => _temp.Dispose();

    private RecordedClip WriteClip(string fileName, string content)
    {
        var path = _temp.Combine("incoming", fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return new RecordedClip(ClipId.For("front_door", Started), "front_door", path, Started, Started, content.Length);
    }

    [Fact]
    public async Task Should_store_the_clip_under_camera_and_clip_id_when_a_file_is_put()
    {
        // Given
        var storage = new LocalStorage(new LocalStorageOptions(Root, null));
        var clip = WriteClip("clip.MP4", "frames");
        var key = StorageKeys.ForClip(clip);

        // When
        var stored = await storage.PutFileAsync(clip.LocalPath, key, CancellationToken.None);

        // Then
        var expectedPath = Path.Combine(Root, "front_door", "front_door-20240501T120000Z.mp4");
        Assert.Equal("front_door/front_door-20240501T120000Z.mp4", key);
        Assert.Equal("frames", File.ReadAllText(expectedPath));
        Assert.Equal("local://front_door/front_door-20240501T120000Z.mp4", stored.StorageUri);
        Assert.Equal(new Uri(expectedPath).AbsoluteUri, stored.ViewUrl);
        Assert.StartsWith("file://", stored.ViewUrl, StringComparison.Ordinal);
        Assert.True(File.Exists(clip.LocalPath));
    }

    [Fact]
    public async Task Should_link_under_the_view_url_base_when_one_is_set()
    {
        // Given
        var storage = new LocalStorage(new LocalStorageOptions(Root, new Uri("http://nvr.local:8000/clips/")));
        var clip = WriteClip("clip.mp4", "frames");

        // When
        var stored = await storage.PutFileAsync(clip.LocalPath, StorageKeys.ForClip(clip), CancellationToken.None);

        // Then
        Assert.Equal("http://nvr.local:8000/clips/front_door/front_door-20240501T120000Z.mp4", stored.ViewUrl);
        Assert.Equal("local://front_door/front_door-20240501T120000Z.mp4", stored.StorageUri);
    }

    [Fact]
    public async Task Should_keep_the_last_path_segment_of_the_view_url_base_when_the_config_has_no_trailing_slash()
    {
        // Given
        var yaml = ConfigYaml.Camera + $"storage:\n  backend: local\n  config:\n    root: {Root}\n    view_url_base: https://nvr.local/clips\n";
        var registries = PluginRegistries.CreateBuiltin();
        var config = AppConfigLoader.Load(yaml, registries, _ => null);
        var storage = registries.Storage.Create(config.Storage.Plugin, new PluginContext(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, TimeProvider.System));
        var clip = WriteClip("clip.mp4", "frames");

        // When
        var stored = await storage.PutFileAsync(clip.LocalPath, StorageKeys.ForClip(clip), CancellationToken.None);

        // Then
        Assert.Equal("https://nvr.local/clips/front_door/front_door-20240501T120000Z.mp4", stored.ViewUrl);
        Assert.True(File.Exists(Path.Combine(Root, "front_door", "front_door-20240501T120000Z.mp4")));
    }

    [Fact]
    public async Task Should_store_once_and_answer_the_same_when_the_same_file_is_put_twice()
    {
        // Given
        var storage = new LocalStorage(new LocalStorageOptions(Root, null));
        var clip = WriteClip("clip.mp4", "frames");
        var key = StorageKeys.ForClip(clip);
        var first = await storage.PutFileAsync(clip.LocalPath, key, CancellationToken.None);

        // When
        var second = await storage.PutFileAsync(clip.LocalPath, key, CancellationToken.None);

        // Then
        Assert.Equal(first, second);
        var files = Directory.GetFiles(Root, "*", SearchOption.AllDirectories);
        var file = Assert.Single(files);
        Assert.Equal("frames", File.ReadAllText(file));
    }

    public static TheoryData<string> EscapingKeys => new() { "../x", "../storage2/x.mp4", "front_door/../../x", "/etc/passwd", "" };

    [Theory]
    [MemberData(nameof(EscapingKeys))]
    public async Task Should_refuse_the_key_when_it_leaves_the_storage_root(string key)
    {
        // Given
        var storage = new LocalStorage(new LocalStorageOptions(Root, null));
        var clip = WriteClip("clip.mp4", "frames");

        // When
        var put = await Assert.ThrowsAsync<ArgumentException>(() => storage.PutFileAsync(clip.LocalPath, key, CancellationToken.None));
        var json = await Assert.ThrowsAsync<ArgumentException>(() => storage.PutJsonAsync(key, "{}", CancellationToken.None));
        var exists = await Assert.ThrowsAsync<ArgumentException>(() => storage.ExistsAsync(key, CancellationToken.None));
        var read = await Assert.ThrowsAsync<ArgumentException>(() => storage.OpenReadAsync(key, CancellationToken.None));

        // Then
        Assert.All([put, json, exists, read], e => Assert.Equal("key", e.ParamName));
        Assert.False(File.Exists(_temp.Combine("x")));
        Assert.False(Directory.Exists(_temp.Combine("storage2")));
    }

    [Fact]
    public async Task Should_read_back_what_was_put_when_json_is_stored()
    {
        // Given
        var storage = new LocalStorage(new LocalStorageOptions(Root, null));
        var clip = WriteClip("clip.mp4", "frames");
        var key = StorageKeys.ForClipSidecar(clip, "analysis.json");
        var existedBefore = await storage.ExistsAsync(key, CancellationToken.None);

        // When
        var stored = await storage.PutJsonAsync(key, "{\"summary\":\"café ☕\"}", CancellationToken.None);

        // Then
        Assert.False(existedBefore);
        Assert.True(await storage.ExistsAsync(key, CancellationToken.None));
        Assert.Equal("local://front_door/front_door-20240501T120000Z.analysis.json", stored.StorageUri);
        await using var stream = await storage.OpenReadAsync(key, CancellationToken.None);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        Assert.Equal("{\"summary\":\"café ☕\"}", Encoding.UTF8.GetString(bytes));
        Assert.NotEqual(0xEF, bytes[0]);
    }

    [Fact]
    public async Task Should_replace_the_content_when_json_is_put_again_under_the_same_key()
    {
        // Given
        var storage = new LocalStorage(new LocalStorageOptions(Root, null));
        await storage.PutJsonAsync("front_door/x.json", "{\"v\":1}", CancellationToken.None);

        // When
        await storage.PutJsonAsync("front_door/x.json", "{\"v\":2}", CancellationToken.None);

        // Then
        await using var stream = await storage.OpenReadAsync("front_door/x.json", CancellationToken.None);
        using var reader = new StreamReader(stream);
        Assert.Equal("{\"v\":2}", await reader.ReadToEndAsync());
        Assert.Single(Directory.GetFiles(Path.Combine(Root, "front_door")));
    }

    [Fact]
    public async Task Should_throw_file_not_found_when_a_missing_key_is_read()
    {
        // Given
        var storage = new LocalStorage(new LocalStorageOptions(Root, null));

        // When
        var exception = await Record.ExceptionAsync(() => storage.OpenReadAsync("front_door/nothing.mp4", CancellationToken.None));

        // Then
        Assert.True(exception is FileNotFoundException or DirectoryNotFoundException, $"got {exception}");
    }
}
