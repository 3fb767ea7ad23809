from src.pipelines.predict import run

run()
