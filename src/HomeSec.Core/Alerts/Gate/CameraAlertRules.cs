using HomeSec.Core.Config.Options;

namespace HomeSec.Core.Alerts.Gate;

/// <summary>
/// A camera's gate rules (<c>cameras[].zones</c> and <c>cameras[].alerts</c>), applied after the alert policy decided to notify.
/// </summary>
/// <param name="Zones">Named polygons of the camera's picture.</param>
/// <param name="RequiredZones">Per class (<c>*</c>: every class): an object of that class alerts only when it is in one of these zones.</param>
/// <param name="Cooldown">No new alert of this camera (and zone) within this time, unless the risk is higher than the last one's.</param>
/// <param name="Modes">The armed modes in which this camera alerts.</param>
public sealed record CameraAlertRules(
    IReadOnlyList<Zone> Zones,
    IReadOnlyDictionary<string, IReadOnlyList<string>> RequiredZones,
    [property: Option("cooldown_s", Min = 0, Max = 86400, Default = 0, Description = "after an alert, this camera's next alerts wait this long")] TimeSpan Cooldown,
    IReadOnlySet<ArmedMode> Modes)
{
    public const string AnyClass = "*";

    public static CameraAlertRules Default { get; } = OptionBinder.Defaults<CameraAlertRules>() with
    {
        Zones = [],
        RequiredZones = new Dictionary<string, IReadOnlyList<string>>(),
        Modes = new HashSet<ArmedMode> { ArmedMode.Home, ArmedMode.Away },
    };

    public IReadOnlyList<string>? RequiredZonesOf(string objectClass) =>
        RequiredZones.TryGetValue(objectClass, out var zones) ? zones : RequiredZones.GetValueOrDefault(AnyClass);
}
