"""Reading a bundle from a folder or a zip: which files, what name, what hash, which limits."""
from __future__ import annotations

import shutil
import zipfile

import pytest

from engine.deploy import bundle as bundle_mod
from engine.deploy.bundle import Bundle, load_bundle
from engine.errors import BundleRefused, InvalidInput

from .conftest import FIXTURES

GOOD = FIXTURES / "care-review"
GOOD_FILES = {"review.bpmn", "follow-up.bpmn", "risk.dmn", "assess-schema.json", "assess-uischema.json",
              "call-schema.json", "call-uischema.json"}


def make_zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_folder_bundle_holds_its_bpmn_dmn_and_json_files():
    assert set(load_bundle(GOOD).files) == GOOD_FILES


def test_other_hidden_and_macos_files_are_left_out(good):
    (good / "README.md").write_text("notes")
    (good / ".draft.bpmn").write_text("<x/>")
    (good / ".git").mkdir()
    (good / ".git" / "old.bpmn").write_text("<x/>")
    (good / "__MACOSX").mkdir()
    (good / "__MACOSX" / "._review.bpmn").write_text("junk")
    assert set(load_bundle(good).files) == GOOD_FILES


def test_files_in_subfolders_keep_their_relative_posix_path(good):
    (good / "forms").mkdir()
    shutil.move(good / "call-schema.json", good / "forms" / "call-schema.json")
    assert "forms/call-schema.json" in load_bundle(good).files


def test_name_defaults_to_the_folder_name():
    assert load_bundle(GOOD).name == "care-review"


def test_name_can_be_given():
    assert load_bundle(GOOD, name="ccm").name == "ccm"


def test_name_of_a_zip_defaults_to_its_stem(tmp_path):
    path = make_zip(tmp_path / "diabetes.zip", {"a.bpmn": b"<a/>"})
    assert load_bundle(path).name == "diabetes"


def test_zip_of_the_folder_reads_the_same_files(tmp_path):
    archive = shutil.make_archive(str(tmp_path / "care-review"), "zip", root_dir=FIXTURES, base_dir="care-review")
    assert load_bundle(archive).files == load_bundle(GOOD).files


def test_same_content_gives_the_same_hash_whatever_the_name_and_reading_order():
    files = load_bundle(GOOD).files
    reordered = dict(reversed(list(files.items())))
    assert Bundle("one", files).content_hash == Bundle("other", reordered).content_hash


def test_zip_and_folder_of_the_same_content_have_the_same_hash(tmp_path):
    archive = shutil.make_archive(str(tmp_path / "renamed"), "zip", root_dir=GOOD)
    assert load_bundle(archive).content_hash == load_bundle(GOOD).content_hash


def test_changed_content_gives_another_hash():
    files = dict(load_bundle(GOOD).files)
    before = Bundle("b", files).content_hash
    files["risk.dmn"] += b" "
    assert Bundle("b", files).content_hash != before


def test_moved_file_gives_another_hash():
    files = load_bundle(GOOD).files
    moved = {("forms/" + path if path.endswith(".json") else path): data for path, data in files.items()}
    assert Bundle("b", moved).content_hash != Bundle("b", files).content_hash


def test_zip_with_a_parent_path_is_refused(tmp_path):
    path = make_zip(tmp_path / "evil.zip", {"ok.bpmn": b"<a/>", "../evil.bpmn": b"<a/>"})
    with pytest.raises(BundleRefused) as refused:
        load_bundle(path)
    assert [p.file for p in refused.value.problems] == ["../evil.bpmn"]


def test_zip_with_an_absolute_path_is_refused(tmp_path):
    path = make_zip(tmp_path / "evil.zip", {"/etc/evil.json": b"{}"})
    with pytest.raises(BundleRefused):
        load_bundle(path)


def test_zip_with_too_many_files_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle_mod, "MAX_FILES", 2)
    path = make_zip(tmp_path / "many.zip", {f"f{i}.json": b"{}" for i in range(3)})
    with pytest.raises(BundleRefused, match="3 files, over the limit of 2"):
        load_bundle(path)


def test_zip_over_the_total_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle_mod, "MAX_BUNDLE_BYTES", 100)
    path = make_zip(tmp_path / "big.zip", {"a.json": b"x" * 60, "b.json": b"y" * 60})
    with pytest.raises(BundleRefused, match="over the limit"):
        load_bundle(path)


def test_zip_member_over_the_file_limit_is_a_problem_and_not_extracted(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle_mod, "MAX_FILE_BYTES", 10)
    path = make_zip(tmp_path / "big.zip", {"small.json": b"{}", "big.json": b"[" + b"0," * 20 + b"0]"})
    loaded = load_bundle(path)
    assert (set(loaded.files), [p.file for p in loaded.problems]) == ({"small.json"}, ["big.json"])


def test_folder_file_over_the_file_limit_is_a_problem_and_not_read(good, monkeypatch):
    monkeypatch.setattr(bundle_mod, "MAX_FILE_BYTES", 1000)
    loaded = load_bundle(good)
    too_big = sorted(p.file for p in loaded.problems)
    assert too_big == ["follow-up.bpmn", "review.bpmn", "risk.dmn"] and not set(too_big) & set(loaded.files)


def test_missing_path_is_invalid_input(tmp_path):
    with pytest.raises(InvalidInput, match="no such file or folder"):
        load_bundle(tmp_path / "nothing")


def test_a_file_that_is_not_a_zip_is_invalid_input():
    with pytest.raises(InvalidInput, match="must be a folder or a .zip"):
        load_bundle(GOOD / "review.bpmn")


def test_folder_without_bundle_files_is_invalid_input(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing to deploy")
    with pytest.raises(InvalidInput, match="no .bpmn, .dmn or .json file"):
        load_bundle(tmp_path)
