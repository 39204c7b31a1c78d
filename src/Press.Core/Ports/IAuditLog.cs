using Press.Core.Audit;

namespace Press.Core.Ports;

public interface IAuditLog
{
    Task WriteAsync(AuditEntry entry, CancellationToken ct);
}
