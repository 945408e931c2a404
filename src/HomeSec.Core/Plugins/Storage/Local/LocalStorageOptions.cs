using HomeSec.Core.Config;

namespace HomeSec.Core.Plugins.Storage.Local;

/// <param name="Root">The folder clips are copied to.</param>
/// <param name="ViewUrlBase">Optional base of the links in alerts (e.g. a file share served over HTTP); by default a file:// link.</param>
public sealed record LocalStorageOptions(string Root, Uri? ViewUrlBase)
{
    public static LocalStorageOptions Read(ConfigSection config)
    {
        var root = Path.GetFullPath(config.String("root", required: true) ?? ".");
        Uri? viewUrlBase = null;
        if (config.String("view_url_base") is { } text)
        {
            if (Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file")
            {
                viewUrlBase = uri;
            }
            else
            {
                config.Error("view_url_base", $"'{text}' is not allowed; expected an absolute http, https or file URL");
            }
        }

        return new LocalStorageOptions(root, viewUrlBase);
    }
}
