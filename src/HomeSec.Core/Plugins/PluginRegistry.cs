using HomeSec.Core.Config;

namespace HomeSec.Core.Plugins;

/// <summary>
/// The plugins of one kind, by name. A registration reads and validates its typed options from
/// the config before anything is built; duplicate names are a programming error.
/// </summary>
public sealed class PluginRegistry<TPlugin>(PluginKind kind)
    where TPlugin : class
{
    private readonly Dictionary<string, Registration> _registrations = new(StringComparer.Ordinal);

    public PluginKind Kind { get; } = kind;

    public IReadOnlyList<string> Names => _registrations.Keys.Order(StringComparer.Ordinal).ToList();

    public PluginRegistry<TPlugin> Register<TOptions>(
        string name,
        Func<ConfigSection, TOptions> readOptions,
        Func<TOptions, PluginContext, TPlugin> create)
        where TOptions : class
    {
        return Add(name, new Registration(section => readOptions(section), null, (options, _, context) => create((TOptions)options, context)));
    }

    /// <summary>
    /// A plugin that also has options per camera: <paramref name="readCameraOptions"/> reads each camera's section
    /// (e.g. <c>per_camera_alert.{camera}</c>) and <paramref name="create"/> gets them by camera name. So the plugin
    /// owns the shape of its per-camera options, and the interface of its kind need not know it.
    /// </summary>
    public PluginRegistry<TPlugin> Register<TOptions, TCameraOptions>(
        string name,
        Func<ConfigSection, TOptions> readOptions,
        Func<ConfigSection, TCameraOptions> readCameraOptions,
        Func<TOptions, IReadOnlyDictionary<string, TCameraOptions>, PluginContext, TPlugin> create)
        where TOptions : class
        where TCameraOptions : class
    {
        return Add(name, new Registration(
            section => readOptions(section),
            section => readCameraOptions(section),
            (options, perCamera, context) => create((TOptions)options, perCamera.ToDictionary(c => c.Key, c => (TCameraOptions)c.Value, StringComparer.Ordinal), context)));
    }

    /// <summary>
    /// Reads <c>{owner}.{nameKey}</c> and its options from <c>{owner}.{configKey}</c>, and each of
    /// <paramref name="perCameraSections"/> with the plugin's per-camera reader. A plugin without one reads none:
    /// their keys are not its business, so they are not reported as unknown.
    /// </summary>
    public PluginSpec? Read(ConfigSection owner, string nameKey, string configKey, string? defaultName = null,
        IReadOnlyList<(string Camera, ConfigSection Section)>? perCameraSections = null)
    {
        var name = defaultName is null ? owner.RequiredString(nameKey) : owner.String(nameKey, defaultName)!;
        var optionsSection = owner.Section(configKey);
        perCameraSections ??= [];
        if (_registrations.TryGetValue(name, out var registration))
        {
            var perCamera = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var (camera, section) in perCameraSections)
            {
                if (registration.ReadCameraOptions is { } readCameraOptions)
                {
                    perCamera[camera] = readCameraOptions(section);
                }
                else
                {
                    section.IgnoreUnknownKeys();
                }
            }

            return new PluginSpec(Kind, name, registration.ReadOptions(optionsSection)) { PerCamera = perCamera };
        }

        if (name.Length > 0)
        {
            owner.Error(nameKey, $"unknown {KindName} plugin '{name}'; available: {string.Join(", ", Names)}");
        }

        optionsSection.IgnoreUnknownKeys();
        foreach (var (_, section) in perCameraSections)
        {
            section.IgnoreUnknownKeys();
        }

        return null;
    }

    public TPlugin Create(PluginSpec spec, PluginContext context)
    {
        if (spec.Kind != Kind || !_registrations.TryGetValue(spec.Name, out var registration))
        {
            throw new InvalidOperationException($"no {KindName} plugin '{spec.Name}' is registered");
        }

        return registration.Create(spec.Options, spec.PerCamera, context);
    }

    private PluginRegistry<TPlugin> Add(string name, Registration registration)
    {
        if (!_registrations.TryAdd(name, registration))
        {
            throw new InvalidOperationException($"a {KindName} plugin named '{name}' is already registered");
        }

        return this;
    }

    private string KindName => Kind switch
    {
        PluginKind.AlertPolicy => "alert policy",
        PluginKind.Analyzer => "vlm",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    private sealed record Registration(
        Func<ConfigSection, object> ReadOptions,
        Func<ConfigSection, object>? ReadCameraOptions,
        Func<object, IReadOnlyDictionary<string, object>, PluginContext, TPlugin> Create);
}
