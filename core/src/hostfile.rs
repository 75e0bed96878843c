//! Reading a file named by a path on this machine safely: regular files only, at most a limit.
//!
//! A size check on `metadata().len()` is no guard: `/dev/zero`, pipes and `/proc` files report 0
//! and then stream forever, and opening a named pipe (FIFO) blocks until a writer appears. So the
//! path is checked to be a regular file *before* it is opened (a FIFO, a device or a directory
//! is refused without opening it), checked again on the opened handle (the path may have been
//! swapped in between), and read with [`Read::take`] up to the limit plus one byte, so a file
//! that grows or lies about its size is refused instead of filling memory.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum HostFileError {
    /// The path names something other than a regular file (a FIFO, a device, a directory …).
    NotRegular { kind: &'static str },
    /// The file holds more than `limit` bytes.
    TooLarge { limit: u64 },
    /// The file is not UTF-8 text.
    NotText,
    /// Opening or reading failed (missing file, no permission …).
    Io(std::io::Error),
}

impl fmt::Display for HostFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostFileError::NotRegular { kind } => write!(f, "is not a regular file (a {kind})"),
            HostFileError::TooLarge { limit } => write!(f, "is larger than {limit} bytes"),
            HostFileError::NotText => write!(f, "is not UTF-8 text"),
            HostFileError::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

impl std::error::Error for HostFileError {}

fn kind_of(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "named pipe";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    if t.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

fn regular(meta: &std::fs::Metadata) -> Result<(), HostFileError> {
    if meta.is_file() {
        Ok(())
    } else {
        Err(HostFileError::NotRegular {
            kind: kind_of(meta.file_type()),
        })
    }
}

/// The bytes of the regular file at `path` (symbolic links followed), at most `limit` of them.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, HostFileError> {
    // Before opening: a FIFO would block `open` itself, a device would never end.
    regular(&std::fs::metadata(path).map_err(HostFileError::Io)?)?;
    let file = File::open(path).map_err(HostFileError::Io)?;
    regular(&file.metadata().map_err(HostFileError::Io)?)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(HostFileError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(HostFileError::TooLarge { limit });
    }
    Ok(bytes)
}

/// The UTF-8 text of the regular file at `path`, at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, HostFileError> {
    String::from_utf8(read_bytes(path, limit)?).map_err(|_| HostFileError::NotText)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_small_files_and_refuses_large_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        std::fs::write(&path, "1;2\n").unwrap();
        assert_eq!(read_text(&path, 4).unwrap(), "1;2\n");
        assert!(matches!(
            read_text(&path, 3),
            Err(HostFileError::TooLarge { limit: 3 })
        ));
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(matches!(read_text(&path, 10), Err(HostFileError::NotText)));
        assert!(matches!(
            read_text(dir.path(), 10),
            Err(HostFileError::NotRegular { kind: "directory" })
        ));
        assert!(matches!(
            read_text(&dir.path().join("missing"), 10),
            Err(HostFileError::Io(_))
        ));
    }
}
