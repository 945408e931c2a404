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
        var registration = new Registration(section => readOptions(section), (options, context) => create((TOptions)options, context));
        if (!_registrations.TryAdd(name, registration))
        {
            throw new InvalidOperationException($"a {KindName} plugin named '{name}' is already registered");
        }

        return this;
    }

    /// <summary>Reads <c>{owner}.{nameKey}</c> and its options from <c>{owner}.{configKey}</c>.</summary>
    public PluginSpec? Read(ConfigSection owner, string nameKey, string configKey, string? defaultName = null)
    {
        var name = defaultName is null ? owner.RequiredString(nameKey) : owner.String(nameKey, defaultName)!;
        var optionsSection = owner.Section(configKey);
        if (_registrations.TryGetValue(name, out var registration))
        {
            return new PluginSpec(Kind, name, registration.ReadOptions(optionsSection));
        }

        if (name.Length > 0)
        {
            owner.Error(nameKey, $"unknown {KindName} plugin '{name}'; available: {string.Join(", ", Names)}");
        }

        optionsSection.IgnoreUnknownKeys();
        return null;
    }

    public TPlugin Create(PluginSpec spec, PluginContext context)
    {
        if (spec.Kind != Kind || !_registrations.TryGetValue(spec.Name, out var registration))
        {
            throw new InvalidOperationException($"no {KindName} plugin '{spec.Name}' is registered");
        }

        return registration.Create(spec.Options, context);
    }

    private string KindName => Kind switch
    {
        PluginKind.AlertPolicy => "alert policy",
        PluginKind.Analyzer => "vlm",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    private sealed record Registration(Func<ConfigSection, object> ReadOptions, Func<object, PluginContext, TPlugin> Create);
}
