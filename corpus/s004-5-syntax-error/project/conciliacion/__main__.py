from conciliacion.review import prepare_review

print(prepare_review({"matches": []}))
