using HomeSec.Core.Alerts;

namespace HomeSec.Core.Config;

/// <summary>Shared by all sections of one config read: the error list and the environment.</summary>
internal sealed class ConfigReadContext(Func<string, string?> environment)
{
    private readonly List<ConfigSection> _sections = [];

    public List<ConfigError> Errors { get; } = [];

    public Func<string, string?> Environment { get; } = environment;

    /// <summary>Set from <c>vlm.extra_activity_types</c> before any plugin options are read.</summary>
    public ActivityVocabulary ActivityTypes { get; set; } = ActivityVocabulary.Builtin;

    public void Track(ConfigSection section) => _sections.Add(section);

    public IEnumerable<ConfigError> UnknownKeys() => _sections.SelectMany(s => s.UnknownKeys());
}
