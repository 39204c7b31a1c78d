using Press.Core.Settings;

namespace Press.Core.Ports;

public interface ISettingsStore
{
    Task<PressSettings> GetAsync(CancellationToken ct);
}
