// Files and folders in the kiosk's data directory: private modes, atomic replacement, and what
// "the disk is full" looks like from the outside. Thread-safe (no state).
//
// Modes: data folders are made 0750, data files 0600 (the database and its -wal/-shm files, the
// seq reservation, the heartbeat, the manager PIN hash) or 0640 where another account of the
// kiosk's group needs to read them (exports).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "touchpoint/core/status.h"

namespace touchpoint {

inline constexpr mode_t kDataDirMode = 0750;
inline constexpr mode_t kPrivateFileMode = 0600;
inline constexpr mode_t kSharedFileMode = 0640;

// Creates `dir` and any missing parents; folders it creates get kDataDirMode (whatever the
// umask). An existing folder is left as it is. Errors name the folder and the OS's reason.
Status CreateDataDir(const std::string& dir);

// Replaces `path` atomically with `content`: writes "<path>.tmp" (created with `mode`), fsyncs
// it, renames it over `path` and fsyncs the folder. A reader sees the old or the new content,
// never a mix; a crash leaves at most a stray .tmp. ENOSPC is reported as kDiskFull.
Status WriteFileAtomically(const std::string& path, const std::string& content,
                           mode_t mode = kPrivateFileMode);

// Creates `path` empty with `mode` if it does not exist (so that a program that creates it
// later, e.g. SQLite, finds the mode already set); an existing file is left as it is.
Status CreateFileWithMode(const std::string& path, mode_t mode);

// Removes the group-write and every "other" permission from an existing file (0644 -> 0640), for
// data files made by older versions. Missing files are ignored.
void RemoveOtherAccess(const std::string& path);

// Bytes available to this process on the filesystem holding `path` (or its nearest existing
// parent); -1 if unknown.
int64_t FreeBytesAt(const std::string& path);

// `s` as the kiosk should report it: an I/O error on a filesystem with (almost) no space left is
// the full disk that caused it (SQLite says only "disk I/O error" when it cannot grow its -shm
// file), so it becomes kDiskFull "no space left in <folder> (<n> KiB free): <s's message>".
// Other statuses (and ones explained already) pass unchanged.
Status ExplainStorageError(const Status& s, const std::string& path);

}  // namespace touchpoint
