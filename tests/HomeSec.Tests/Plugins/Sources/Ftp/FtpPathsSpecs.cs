using HomeSec.Core.Plugins.Sources.Ftp;
using Xunit;

namespace HomeSec.Tests.Plugins.Sources.Ftp;

public sealed class FtpPathsSpecs
{
    private readonly FtpPaths _paths = new("/srv/ftp/gate");

    [Theory]
    [InlineData("/", "clip.mp4", "/clip.mp4", "/srv/ftp/gate/clip.mp4")]
    [InlineData("/2024/05", "../06/clip.mp4", "/2024/06/clip.mp4", "/srv/ftp/gate/2024/06/clip.mp4")]
    [InlineData("/a", "/b/./c.mp4", "/b/c.mp4", "/srv/ftp/gate/b/c.mp4")]
    [InlineData("/a", "..", "/", "/srv/ftp/gate")]
    public void Should_map_a_path_inside_the_root_when_it_stays_below_it(string cwd, string requested, string expectedVirtual, string expectedPhysical)
    {
        // Given
        var paths = _paths;

        // When
        var resolved = paths.Resolve(cwd, requested);

        // Then
        Assert.Equal((expectedVirtual, expectedPhysical), resolved);
    }

    [Theory]
    [InlineData("/", "..")]
    [InlineData("/", "../../etc/passwd")]
    [InlineData("/a", "../../x.mp4")]
    [InlineData("/", "/../x.mp4")]
    [InlineData("/", "..\\x.mp4")]
    [InlineData("/", ".partial/upload.mp4")]
    [InlineData("/", "/.homesec/manifest.jsonl")]
    [InlineData("/", "x\0.mp4")]
    public void Should_refuse_a_path_when_it_escapes_the_root_or_names_a_reserved_folder(string cwd, string requested)
    {
        // Given
        var paths = _paths;

        // When
        var resolved = paths.Resolve(cwd, requested);

        // Then
        Assert.Null(resolved);
    }
}
