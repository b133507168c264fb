package org.reportorchestrator.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobState;
import org.reportorchestrator.Progress;
import org.reportorchestrator.ResultInfo;
import org.reportorchestrator.spi.StoredJob;

/**
 * Reads one row of {@link Statements#COLUMNS} into a {@link StoredJob}. Stateless and thread-safe.
 */
final class StoredJobMapper implements RowMapper<StoredJob> {

  static final StoredJobMapper INSTANCE = new StoredJobMapper();

  private StoredJobMapper() {}

  @Override
  public StoredJob map(ResultSet rs, StatementContext ctx) throws SQLException {
    JobId id = new JobId(rs.getObject("id", UUID.class));
    String errorType = rs.getString("error_type");
    JobError error =
        errorType == null
            ? null
            : new JobError(
                errorType, rs.getString("error_message"), nonNull(rs.getString("error_stack")));
    String resultType = rs.getString("result_content_type");
    ResultInfo result =
        resultType == null
            ? null
            : new ResultInfo(
                resultType,
                rs.getString("result_file_name"),
                rs.getLong("result_size"),
                JsonText.read(orEmptyObject(rs.getString("result_metadata")), "result_metadata"));
    return new StoredJob(
        id,
        rs.getString("report_type"),
        JsonText.read(rs.getString("parameters"), "parameters"),
        JobState.valueOf(rs.getString("state")),
        rs.getInt("attempt"),
        rs.getInt("max_attempts"),
        rs.getInt("priority"),
        rs.getString("idempotency_key"),
        Duration.ofMillis(rs.getLong("timeout_ms")),
        EpochMicros.toInstant(rs.getLong("created_at")),
        EpochMicros.toInstant(rs.getLong("updated_at")),
        EpochMicros.toInstant(nullableLong(rs, "started_at")),
        EpochMicros.toInstant(nullableLong(rs, "finished_at")),
        EpochMicros.toInstant(rs.getLong("run_at")),
        new Progress(rs.getInt("progress_percent"), rs.getString("progress_message")),
        error,
        result,
        rs.getString("owner_node"),
        rs.getLong("fencing_token"),
        EpochMicros.toInstant(nullableLong(rs, "lease_expires_at")),
        rs.getBoolean("cancel_requested"));
  }

  private static @Nullable Long nullableLong(ResultSet rs, String column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }

  private static String nonNull(@Nullable String value) {
    return value == null ? "" : value;
  }

  private static String orEmptyObject(@Nullable String json) {
    return json == null ? "{}" : json;
  }
}
